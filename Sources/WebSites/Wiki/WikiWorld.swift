/// The structured facts behind the wiki: a generated but self-consistent world of countries,
/// cities, rivers, mountains and scientists. Articles are written from these facts, so a task can
/// ask a factual question whose answer is checkable and cannot be known without reading the site.
struct WikiWorld {
    struct Country { var name: String; var capital: String; var continent: String; var population: Int
                     var areaKm2: Int; var currency: String; var language: String; var government: String
                     var founded: Int; var cities: [String] = [] }
    struct City { var name: String; var country: String; var population: Int; var founded: Int
                  var elevationM: Int; var river: String?; var industry: String; var isCapital: Bool }
    struct River { var name: String; var lengthKm: Int; var source: String; var mouth: String
                   var countries: [String]; var cities: [String] = [] }
    struct Mountain { var name: String; var heightM: Int; var country: String; var range: String; var firstAscent: Int }
    struct Scientist { var name: String; var born: Int; var died: Int; var birthCity: String; var field: String
                       var knownFor: String; var universityCity: String; var award: String?
                       var university: String { "University of \(universityCity)" } }

    var countries: [Country] = []
    var cities: [City] = []
    var rivers: [River] = []
    var mountains: [Mountain] = []
    var scientists: [Scientist] = []

    static let continents = ["Aurelia", "Norvath", "the Seren Archipelago", "Meridia"]
    static let seas = ["the Glass Sea", "the Amber Gulf", "the Northern Ocean", "the Bay of Tessel", "the Saltmere"]
    static let ranges = ["the Calder Range", "the Iron Teeth", "the Vesper Highlands", "the Ashen Peaks"]
    static let governments = ["parliamentary republic", "constitutional monarchy", "federal republic", "presidential republic"]
    static let currencies = ["crown", "mark", "florin", "sol", "dinar", "real", "thaler"]
    static let industries = ["shipbuilding", "textiles", "wine making", "software", "fishing", "mining", "publishing",
                             "glassworks", "tea trading", "railway engineering", "tourism", "printing"]
    static let fields = ["physics", "chemistry", "botany", "astronomy", "mathematics", "geology", "medicine", "linguistics"]
    static let discoveries: [String: [String]] = [
        "physics": ["the law of radiant cooling", "the theory of lattice tension", "the pendulum clock correction"],
        "chemistry": ["the isolation of brightsalt", "the catalytic wash process", "the theory of paired bonds"],
        "botany": ["the classification of mountain mosses", "the study of winter wheat", "the seed dormancy model"],
        "astronomy": ["the discovery of the comet Velis", "the star catalogue of the southern sky", "the orbit of the moon Ysa"],
        "mathematics": ["the theorem of folded sums", "the method of nested fractions", "the proof of the harbor conjecture"],
        "geology": ["the map of the continental shelves", "the theory of slow uplift", "the study of basalt columns"],
        "medicine": ["the first fever vaccine", "the clean ward method", "the study of river fever"],
        "linguistics": ["the grammar of the coastal dialects", "the decipherment of the Tessel tablets", "the sound-shift law"],
    ]
    static let awards = ["the Orsen Medal", "the Halvard Prize", "the Royal Lumen Award"]

    // Syllables chosen to read as plausible place and family names in English text.
    private static let onsets = ["b", "br", "c", "d", "dr", "f", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t",
                                 "v", "st", "gr", "tr", "m", "l", "r", "s"]
    private static let vowels = ["a", "e", "i", "o", "u", "a", "e", "o", "ai", "ea"]
    private static let codas = ["n", "r", "l", "s", "nd", "rn", "m", "", "", ""]
    private static let givenNames = ["Alma", "Tobias", "Ines", "Edvard", "Marit", "Oskar", "Leona", "Casimir", "Yara",
                                     "Henrik", "Sabine", "Ludo", "Petra", "Anselm", "Greta", "Milan", "Odile", "Rafael",
                                     "Ilse", "Konrad", "Vera", "Julian", "Noor", "Emil"]

    init(seed: UInt64) {
        var rng = SeededGenerator(seed: seed, stream: "wiki")
        var used = Set<String>()
        func word(_ syllables: ClosedRange<Int>, suffix: [String] = [""]) -> String {
            while true {
                var w = ""
                for _ in 0..<rng.int(syllables) { w += rng.pick(Self.onsets) + rng.pick(Self.vowels) }
                w += rng.pick(Self.codas) + rng.pick(suffix)
                let name = w.prefix(1).uppercased() + w.dropFirst()
                if name.count >= 4, name.count <= 11, !used.contains(name) { used.insert(name); return name }
            }
        }

        for _ in 0..<20 {
            let name = word(2...3, suffix: ["", "ia", "land", "a", "or"])
            countries.append(Country(
                name: name, capital: "", continent: rng.pick(Self.continents), population: rng.int(800...90_000) * 1000,
                areaKm2: rng.int(12...900) * 1000, currency: "\(name) \(rng.pick(Self.currencies))",
                language: word(2...2, suffix: ["ic", "ish", "ese", "ian"]), government: rng.pick(Self.governments),
                founded: rng.int(1400...1950)))
        }
        for r in 0..<25 {
            let through = rng.sample(countries.map(\.name), count: rng.int(1...3))
            rivers.append(River(name: word(2...2) + " River", lengthKm: rng.int(80...2400), source: "",
                                mouth: rng.pick(Self.seas), countries: through))
            _ = r
        }
        for c in countries.indices {
            for i in 0..<3 {
                let name = word(1...3, suffix: ["", "burg", "port", "ford", "holm", "stad", " Bay", "ville"])
                let onRiver = rivers.indices.filter { rivers[$0].countries.contains(countries[c].name) }
                let river: Int? = onRiver.isEmpty || rng.chance(0.3) ? nil : rng.pick(onRiver)
                if let river { rivers[river].cities.append(name) }
                cities.append(City(name: name, country: countries[c].name,
                                   population: i == 0 ? rng.int(400...4000) * 1000 : rng.int(20...900) * 1000,
                                   founded: rng.int(800...1800), elevationM: rng.int(2...1800), river: river.map { rivers[$0].name },
                                   industry: rng.pick(Self.industries), isCapital: i == 0))
                countries[c].cities.append(name)
                if i == 0 { countries[c].capital = name }
            }
        }
        for _ in 0..<15 {
            mountains.append(Mountain(name: "Mount " + word(2...2), heightM: rng.int(1800...8200),
                                      country: rng.pick(countries).name, range: rng.pick(Self.ranges),
                                      firstAscent: rng.int(1780...1990)))
        }
        for r in rivers.indices {
            rivers[r].source = mountains.filter { rivers[r].countries.contains($0.country) }.first?.name
                ?? "the hills of \(rivers[r].countries[0])"
        }
        var usedPeople = Set<String>()
        while scientists.count < 35 {
            let name = "\(rng.pick(Self.givenNames)) \(word(2...2, suffix: ["", "sen", "er", "ov", "ez"]))"
            guard !usedPeople.contains(name) else { continue }
            usedPeople.insert(name)
            let born = rng.int(1720...1930)
            let field = rng.pick(Self.fields)
            scientists.append(Scientist(
                name: name, born: born, died: born + rng.int(38...95), birthCity: rng.pick(cities).name, field: field,
                knownFor: rng.pick(Self.discoveries[field]!), universityCity: rng.pick(cities.filter(\.isCapital)).name,
                award: rng.chance(0.5) ? rng.pick(Self.awards) : nil))
        }
    }
}
