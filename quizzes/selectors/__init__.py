"""Reads shaped for pages, one module per workflow.

- `candidate`: what candidates reach: public quizzes, invites, the questions an attempt shows
- `results`: an attempt's questions against the stored verdicts (result and review pages)
- `review`: recruiters' list of attempts, standing, revisions of a quiz
- `exports`: the attempts of a CSV export, chunk by chunk
- `statistics`: item analysis of a quiz's finished attempts
- `authoring`: a quiz as the file formats see it, and what an import would change
"""
