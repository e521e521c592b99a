"""Records made elsewhere (a browser's HAR export), turned into the exchanges an audit records."""
