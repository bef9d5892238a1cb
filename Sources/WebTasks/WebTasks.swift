// The WebTasks target; see README.md, Architecture.
