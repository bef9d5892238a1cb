import WebSites

/// The tests' name for the one loopback server (`WebSites.LoopbackHTTPServer`), which the benches use too.
public typealias LoopbackHTTPServer = WebSites.LoopbackHTTPServer
