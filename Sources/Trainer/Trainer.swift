// The Trainer target; see README.md, Architecture.
