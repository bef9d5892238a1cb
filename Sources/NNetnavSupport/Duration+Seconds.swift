extension Duration {
    /// The duration in seconds, for latencies and rates in summaries and the crawl store.
    public var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
