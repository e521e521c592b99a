"""The browser: finding and starting Chromium quietly (`chromium`, `switches`), trusting a test
CA (`trust`), and the context a system's audit runs in (`setup`)."""
