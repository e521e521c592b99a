"""Recording: the only stage that drives the browser. Every request, redirect hop and
websocket frame of an audited system goes to its requests.jsonl, with the evidence files."""
