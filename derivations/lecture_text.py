# ruff: noqa: E501, W291 - the lecture's code is kept exactly as printed
"""The code samples of the lecture, verbatim (as printed, errors included).

Source: "Entropy, Cross-Entropy & KL Divergence", lecture 9 of "Probability Foundations for
AI/ML" (the seed text of issue 3).  Kept byte for byte: the claims about the code run these.
"""

PYTHON_SAMPLE = '''\
import numpy as np
from scipy.stats import entropy
# Discrete entropy
p = [0.5, 0.5]
print("Entropy coin:", entropy(p, base=2)) # 1 bit
# Cross-entropy
q = [0.9, 0.1]
cross_h = -np.sum(p * np.log(q + 1e-10))
print("Cross-entropy:", cross_h)
# KL divergence
kl = entropy(p, q, base=np.e)
print("KL(P||Q):", kl)
# ML: Cross-entropy loss
y_true = np.array([1, 0])
y_pred = np.array([0.8, 0.2])
loss = -np.sum(y_true * np.log(y_pred))
print("CE loss:", loss)
# Continuous entropy approx (Gaussian)
mu, sigma = 0, 1
h_diff = 0.5 * np.log(2 * np.pi * np.e * sigma**2)
print("Differential entropy normal:", h_diff)
'''

RUST_SAMPLE = '''\
fn entropy(p: &[f64], base: f64) -> f64 {
-p.iter().map(|&pi| if pi > 0.0 { pi * pi.log(base) } else { 0.0 }).sum::<f64>()
}
fn cross_entropy(p: &[f64], q: &[f64]) -> f64 {
-p.iter().zip(q.iter()).map(|(&pi, &qi)| if pi > 0.0 { pi * qi.log(std::f64::consts::E) } else { 0.0 }).sum::<f64>()
}
fn kl_div(p: &[f64], q: &[f64]) -> f64 {
p.iter().zip(q.iter()).map(|(&pi, &qi| if pi > 0.0 && qi > 0.0 { pi * (pi / qi).ln() } else { 0.0 }).sum::<f64>()
}
fn main() {
let p = [0.5, 0.5];
println!("Entropy coin (base 2): {}", entropy(&p, 2.0)); # 1.0
let q = [0.9, 0.1];
println!("Cross-entropy:", cross_entropy(&p, &q));
println!("KL(P||Q):", kl_div(&p, &q));
// ML: CE loss
let y_true = [1.0, 0.0];
let y_pred = [0.8, 0.2];
let loss = - y_true.iter().zip(y_pred.iter()).map(|(&yt, &yp)| yt * yp.ln()).sum::<f64>();
println!("CE loss:", loss);
// Differential entropy normal
let sigma = 1.0;
let h_diff = 0.5 * (2.0 * std::f64::consts::PI * std::f64::consts::E * sigma.powi(2)).ln();
println!("Differential entropy normal:", h_diff);
}
'''

SYMPY_SAMPLE = '''\
from sympy import symbols, log, diff, solve
p = symbols('p', positive=True)
H = -p * log(p) - (1-p) * log(1-p)
dH_dp = diff(H, p)
crit_p = solve(dH_dp, p)[0]
print("Max entropy p:", crit_p) # 0.5
q = symbols('q', positive=True)
KL = p * log(p/q) + (1-p) * log((1-p)/(1-q))
print("KL(P||Q):", KL)
'''

RUST_SYMPY_SAMPLE = '''\
fn main() {
println!("Max entropy p: 0.5");
println!("KL(P||Q): p ln(p/q) + (1-p) ln((1-p)/(1-q))");
}
'''
