// The Pipeline target; see README.md, Architecture.
