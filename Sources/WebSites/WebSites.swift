// The WebSites target; see README.md, Architecture.
