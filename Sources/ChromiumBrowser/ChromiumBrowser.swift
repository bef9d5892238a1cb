// The ChromiumBrowser target; see README.md, Architecture.
