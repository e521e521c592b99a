"""Capture: every request, redirect hop and websocket frame the browser sends, to disk
(`recorder`), with who sent it (`initiators`), the websockets of shared and service workers
(`worker_sockets`), and the network witness that checks the record (`witness`, `netlog`)."""
