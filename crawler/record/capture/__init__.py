"""Capture: every request, redirect hop and websocket frame the browser sends, to disk, from a
DevTools connection of our own (`recorder`, and the parts it names), and the network witness
that checks the record (`witness`, `netlog`)."""
