// The Evaluation target; see README.md, Architecture.
