"""Evidence beside the record: Playwright's HAR and trace (`har_trace`), every file redacted once
the audit ends (`redact_files`), and saved logins kept outside the reports (`saved_logins`)."""
