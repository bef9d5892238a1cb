import ArgumentParser
import WebTasks

/// `--solutions clicks|as-written` (the experiment).
extension SolutionNavigation: ExpressibleByArgument {}
