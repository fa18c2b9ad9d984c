"""The lecture, derived: ``python -m derivations --out DIR`` writes lecture.tex, lecture.pdf
(with pdflatex) and claims.json; see :mod:`derivations.lecture` and :mod:`derivations.claims`."""
