"""Everything that writes, one module per workflow.

- `revisions`: the immutable record of a quiz's content that attempts point to
- `attempts`: starting, saving, submitting and closing attempts
- `scoring`: storing grades and totals (used by attempts, regrades and overrides)
- `invites`: creating invites and starting attempts from them
- `importing`: creating or updating a quiz from a parsed question file
- `authoring`: duplicating, publishing and unpublishing quizzes
- `regrade`: regrading finished attempts after verdicts were fixed
- `review`: recruiters' notes, ratings and score overrides
- `webhooks`: endpoints and the events recorded for them
- `webhook_delivery`: posting those events, signed, with retries

Services take keyword-only arguments, wrap multi-row changes in one transaction, and lock
the attempt row where two requests can race (double submit, two tabs).
"""
