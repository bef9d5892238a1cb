import GRDB

/// The wiki's SQLite schema and the articles written from `WikiWorld`'s facts.
///
/// Section text marks internal links as `[[Title]]` or `[[Title|shown text]]`; pages turn them
/// into links when rendering.
public enum WikiDatabase {
    public static func createSchema(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE articles (id INTEGER PRIMARY KEY, title TEXT NOT NULL UNIQUE COLLATE NOCASE,
                                   kind TEXT NOT NULL, summary TEXT NOT NULL);
            CREATE TABLE infobox (article_id INTEGER NOT NULL REFERENCES articles(id), position INTEGER NOT NULL,
                                  label TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (article_id, position));
            CREATE TABLE sections (article_id INTEGER NOT NULL REFERENCES articles(id), position INTEGER NOT NULL,
                                   heading TEXT NOT NULL, body TEXT NOT NULL, PRIMARY KEY (article_id, position));
            CREATE TABLE categories (article_id INTEGER NOT NULL REFERENCES articles(id), name TEXT NOT NULL,
                                     PRIMARY KEY (article_id, name));
            CREATE INDEX categories_name ON categories(name);
            """)
    }

    public static func seed(_ db: Database, seed: UInt64) throws {
        let world = WikiWorld(seed: seed)
        var id: Int64 = 0
        func add(_ title: String, kind: String, summary: String, infobox: [(String, String)],
                 sections: [(String, String)], categories: [String]) throws {
            id += 1
            try db.execute(sql: "INSERT INTO articles (id, title, kind, summary) VALUES (?, ?, ?, ?)",
                           arguments: [id, title, kind, summary])
            for (i, row) in infobox.enumerated() {
                try db.execute(sql: "INSERT INTO infobox VALUES (?, ?, ?, ?)", arguments: [id, i, row.0, row.1])
            }
            for (i, section) in sections.enumerated() {
                try db.execute(sql: "INSERT INTO sections VALUES (?, ?, ?, ?)", arguments: [id, i, section.0, section.1])
            }
            for name in categories {
                try db.execute(sql: "INSERT INTO categories VALUES (?, ?)", arguments: [id, name])
            }
        }
        func n(_ value: Int) -> String { Self.grouped(value) }
        func list(_ items: [String]) -> String {
            switch items.count {
            case 0: ""
            case 1: items[0]
            default: items.dropLast().joined(separator: ", ") + " and " + items.last!
            }
        }

        for c in world.countries {
            let rivers = world.rivers.filter { $0.countries.contains(c.name) }
            let mountains = world.mountains.filter { $0.country == c.name }
            let people = world.scientists.filter { s in c.cities.contains(s.birthCity) }
            let density = c.population / max(1, c.areaKm2)
            var sections = [
                ("Geography", "\(c.name) covers \(n(c.areaKm2)) square kilometres of \(c.continent). "
                    + (rivers.isEmpty ? "No major river crosses the country. "
                                      : "Its rivers include \(list(rivers.map { "[[\($0.name)]]" })). ")
                    + (mountains.isEmpty ? "" : mountains.count == 1 ? "Its highest summit is [[\(mountains[0].name)]]. "
                                    : "Its highest summits are \(list(mountains.map { "[[\($0.name)]]" })). ")),
                ("History", "The modern state of \(c.name) was founded in \(c.founded). It is a \(c.government), "
                    + "and its capital has been [[\(c.capital)]] since independence."),
                ("Demographics", "The population is about \(n(c.population)), a density of roughly \(density) people per "
                    + "square kilometre. The official language is \(c.language). Major cities are "
                    + "\(list(c.cities.map { "[[\($0)]]" }))."),
                ("Economy", "The currency is the \(c.currency). Important industries include "
                    + "\(list(world.cities.filter { $0.country == c.name }.map(\.industry)))."),
            ]
            if !people.isEmpty {
                sections.append(("Notable people", "Scientists born in \(c.name) include "
                                 + "\(list(people.map { "[[\($0.name)]]" }))."))
            }
            try add(c.name, kind: "country",
                    summary: "\(c.name) is a country in \(c.continent) with a population of about \(n(c.population)). "
                        + "Its capital and largest city is [[\(c.capital)]].",
                    infobox: [("Capital", c.capital), ("Continent", c.continent), ("Population", n(c.population)),
                              ("Area", "\(n(c.areaKm2)) km²"), ("Currency", c.currency), ("Official language", c.language),
                              ("Government", c.government), ("Founded", String(c.founded))],
                    sections: sections, categories: ["Countries", "Countries of \(c.continent)"])
        }
        for city in world.cities {
            let people = world.scientists.filter { $0.birthCity == city.name }
            var sections = [
                ("History", "\(city.name) was founded in \(city.founded)"
                    + (city.isCapital ? " and is the capital of [[\(city.country)]]." : " in what is now [[\(city.country)]].")),
                ("Geography", "The city lies at an elevation of \(n(city.elevationM)) metres"
                    + (city.river.map { " on the banks of the [[\($0)]]." } ?? ", away from any major river.")),
                ("Economy", "The economy of \(city.name) is known for \(city.industry)."),
            ]
            if !people.isEmpty {
                sections.append(("Notable people", "\(list(people.map { "[[\($0.name)]]" })) "
                                 + (people.count == 1 ? "was" : "were") + " born here."))
            }
            try add(city.name, kind: "city",
                    summary: "\(city.name) is \(city.isCapital ? "the capital" : "a city") of [[\(city.country)]] with a "
                        + "population of about \(n(city.population)).",
                    infobox: [("Country", city.country), ("Population", n(city.population)), ("Founded", String(city.founded)),
                              ("Elevation", "\(n(city.elevationM)) m"), ("River", city.river ?? "none"),
                              ("Main industry", city.industry)],
                    sections: sections, categories: ["Cities", "Cities in \(city.country)"] + (city.isCapital ? ["Capital cities"] : []))
        }
        for r in world.rivers {
            let source = r.source.hasPrefix("Mount ") ? "[[\(r.source)]]" : r.source
            try add(r.name, kind: "river",
                    summary: "The \(r.name) is a river \(n(r.lengthKm)) kilometres long that flows through "
                        + "\(list(r.countries.map { "[[\($0)]]" })) into \(r.mouth).",
                    infobox: [("Length", "\(n(r.lengthKm)) km"), ("Source", r.source), ("Mouth", r.mouth),
                              ("Countries", r.countries.joined(separator: ", "))],
                    sections: [("Course", "The river rises at \(source) and reaches \(r.mouth) after \(n(r.lengthKm)) kilometres."),
                               ("Settlements", r.cities.isEmpty ? "No large city lies on the river."
                                    : "Cities on the river include \(list(r.cities.map { "[[\($0)]]" })).")],
                    categories: ["Rivers"] + r.countries.map { "Rivers of \($0)" })
        }
        for m in world.mountains {
            let fed = world.rivers.filter { $0.source == m.name }
            try add(m.name, kind: "mountain",
                    summary: "\(m.name) is a mountain in \(m.range), in [[\(m.country)]], rising to \(n(m.heightM)) metres.",
                    infobox: [("Height", "\(n(m.heightM)) m"), ("Country", m.country), ("Range", m.range),
                              ("First ascent", String(m.firstAscent))],
                    sections: [("Climbing history", "The first recorded ascent of \(m.name) was in \(m.firstAscent)."),
                               ("Hydrology", fed.isEmpty ? "No major river rises on the mountain."
                                    : "It is the source of \(list(fed.map { "the [[\($0.name)]]" })).")],
                    categories: ["Mountains", "Mountains of \(m.country)"])
        }
        for s in world.scientists {
            let country = world.cities.first { $0.name == s.birthCity }!.country
            try add(s.name, kind: "person",
                    summary: "\(s.name) (\(s.born)–\(s.died)) was a \(s.field) researcher from [[\(country)]], "
                        + "best known for \(s.knownFor).",
                    infobox: [("Born", "\(s.born), \(s.birthCity)"), ("Died", String(s.died)), ("Field", s.field.capitalized),
                              ("Known for", s.knownFor), ("Institution", s.university)]
                        + (s.award.map { [("Awards", $0)] } ?? []),
                    sections: [("Early life", "\(s.name) was born in [[\(s.birthCity)]] in \(s.born)."),
                               ("Career", "After studying at the University of [[\(s.universityCity)]], \(s.name) worked in \(s.field) "
                                    + "and became known for \(s.knownFor)."
                                    + (s.award.map { " The work was recognised with \($0)." } ?? "")),
                               ("Death", "\(s.name) died in \(s.died) at the age of \(s.died - s.born).")],
                    categories: ["Scientists", "\(s.field.capitalized) scientists", "People from \(country)"])
        }
    }

    /// 1234567 -> "1,234,567".
    static func grouped(_ value: Int) -> String {
        let digits = Array(String(value))
        var out = ""
        for (i, d) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out += "," }
            out.append(d)
        }
        return out
    }
}
