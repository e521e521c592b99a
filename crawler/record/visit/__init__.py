"""The visit: the scenario and its login proof (`drive`, `login`), the safe crawl (`crawl`,
`links`), and what answers the pages (`dialogs`, `consent`)."""
