import Foundation
import NNetnavSupport

/// Spectral clustering on a manifold embedding (Ng–Jordan–Weiss): a symmetric k-nearest-neighbour graph
/// with Gaussian weights (σ = median neighbour distance), the eigenvectors of the normalised Laplacian
/// `I − D^{-1/2} A D^{-1/2}` with the smallest eigenvalues, rows scaled to unit length, then k-means.
/// PASER clusters its recovery pool this way (it uses a dense graph and NMF; a kNN graph keeps the memory
/// linear in the pool, and k-means on the spectral rows is the standard last step).
public struct SpectralClustering {
    public var clusters: Int
    public var neighbours = 10
    public var seed: UInt64 = 42

    public init(clusters: Int, neighbours: Int = 10, seed: UInt64 = 42) {
        self.clusters = clusters
        self.neighbours = neighbours
        self.seed = seed
    }

    /// A cluster index in 0..<clusters for every point.
    public func assign(_ points: [[Double]]) -> [Int] {
        let n = points.count
        let k = max(1, min(clusters, n))
        guard n > k else { return Array(0..<n) }
        let spectral = Self.normalisedRows(embedding(points, dimensions: k))
        return KMeans(clusters: k, seed: seed).assign(spectral)
    }

    /// The `dimensions` eigenvectors of the normalised Laplacian with the smallest eigenvalues, one row per point.
    public func embedding(_ points: [[Double]], dimensions k: Int) -> [[Double]] {
        let n = points.count
        var distance = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
        for i in 0..<n {
            for j in (i + 1)..<max(i + 1, n) {
                let d = zip(points[i], points[j]).reduce(0.0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot()
                distance[i][j] = d; distance[j][i] = d
            }
        }
        let m = max(1, min(neighbours, n - 1))
        var neighbourLists: [[Int]] = []
        var neighbourDistances: [Double] = []
        for i in 0..<n {
            let order = (0..<n).filter { $0 != i }.sorted { distance[i][$0] != distance[i][$1] ? distance[i][$0] < distance[i][$1] : $0 < $1 }
            let chosen = Array(order.prefix(m))
            neighbourLists.append(chosen)
            neighbourDistances += chosen.map { distance[i][$0] }
        }
        let sortedDistances = neighbourDistances.sorted()
        let sigma = max(sortedDistances[sortedDistances.count / 2], 1e-12)
        var affinity = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
        for i in 0..<n {
            for j in neighbourLists[i] {
                let a = exp(-distance[i][j] * distance[i][j] / (2 * sigma * sigma))
                affinity[i][j] = max(affinity[i][j], a); affinity[j][i] = affinity[i][j]
            }
        }
        let degree = affinity.map { max($0.reduce(0, +), 1e-12) }
        // M = I + D^{-1/2} A D^{-1/2}: its largest eigenvectors are the Laplacian's smallest; the shift makes it
        // positive semi-definite so orthogonal iteration converges to the top of the spectrum.
        var matrix = affinity
        for i in 0..<n {
            for j in 0..<n { matrix[i][j] = affinity[i][j] / (degree[i] * degree[j]).squareRoot() }
            matrix[i][i] += 1
        }
        return Self.topEigenvectors(matrix, count: k, seed: seed)
    }

    /// Orthogonal (subspace) iteration for the `count` leading eigenvectors of a symmetric PSD matrix.
    static func topEigenvectors(_ a: [[Double]], count k: Int, seed: UInt64, iterations: Int = 500) -> [[Double]] {
        let n = a.count
        var rng = SplitMix64(seed: seed)
        var basis = (0..<k).map { _ in (0..<n).map { _ in Double.random(in: -1...1, using: &rng) } }
        orthonormalise(&basis)
        for _ in 0..<iterations {
            basis = basis.map { v in (0..<n).map { i in zip(a[i], v).reduce(0.0) { $0 + $1.0 * $1.1 } } }
            orthonormalise(&basis)
        }
        return (0..<n).map { i in basis.map { $0[i] } }
    }

    static func orthonormalise(_ vectors: inout [[Double]]) {
        for i in vectors.indices {
            for j in 0..<i {
                let dot = zip(vectors[i], vectors[j]).reduce(0.0) { $0 + $1.0 * $1.1 }
                for e in vectors[i].indices { vectors[i][e] -= dot * vectors[j][e] }
            }
            let norm = vectors[i].reduce(0.0) { $0 + $1 * $1 }.squareRoot()
            if norm > 1e-12 { vectors[i] = vectors[i].map { $0 / norm } }
        }
    }

    static func normalisedRows(_ rows: [[Double]]) -> [[Double]] {
        rows.map { r in
            let norm = r.reduce(0.0) { $0 + $1 * $1 }.squareRoot()
            return norm > 1e-12 ? r.map { $0 / norm } : r
        }
    }
}

/// Lloyd's k-means with k-means++ seeding, the best of several seeded restarts by inertia.
public struct KMeans {
    public var clusters: Int
    public var seed: UInt64
    public var restarts = 10

    public init(clusters: Int, seed: UInt64) { self.clusters = clusters; self.seed = seed }

    public func assign(_ points: [[Double]]) -> [Int] {
        var rng = SplitMix64(seed: seed)
        var best: (inertia: Double, labels: [Int]) = (.infinity, [])
        for _ in 0..<restarts {
            let run = once(points, rng: &rng)
            if run.inertia < best.inertia { best = run }
        }
        return best.labels
    }

    private func squared(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0.0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } }

    private func once(_ points: [[Double]], rng: inout SplitMix64) -> (inertia: Double, labels: [Int]) {
        let n = points.count
        var centres = [points[Int.random(in: 0..<n, using: &rng)]]
        while centres.count < clusters {
            let d = points.map { p in centres.map { squared(p, $0) }.min()! }
            let total = d.reduce(0, +)
            var pick = Double.random(in: 0..<max(total, 1e-300), using: &rng)
            var chosen = n - 1
            for i in 0..<n { pick -= d[i]; if pick < 0 { chosen = i; break } }
            centres.append(points[chosen])
        }
        var labels = [Int](repeating: 0, count: n)
        for _ in 0..<100 {
            var changed = false
            for i in 0..<n {
                var bestCentre = 0, bestDistance = Double.infinity
                for (c, centre) in centres.enumerated() {
                    let d = squared(points[i], centre)
                    if d < bestDistance { bestDistance = d; bestCentre = c }
                }
                if labels[i] != bestCentre { labels[i] = bestCentre; changed = true }
            }
            for c in 0..<clusters {
                let members = (0..<n).filter { labels[$0] == c }
                guard !members.isEmpty else { continue }
                centres[c] = (0..<points[0].count).map { e in members.reduce(0.0) { $0 + points[$1][e] } / Double(members.count) }
            }
            if !changed { break }
        }
        let inertia = (0..<n).reduce(0.0) { $0 + squared(points[$1], centres[labels[$1]]) }
        return (inertia, labels)
    }
}
