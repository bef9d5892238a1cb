/// Small plausible source trees for seeded projects, one template per language.
enum CodeFiles {
    static func tree(for idea: CodeVocabulary.ProjectIdea, owner: String) -> [(path: String, content: String)] {
        let title = idea.name.split(separator: "-").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined(separator: " ")
        var files: [(String, String)] = [
            ("README.md", """
                # \(title)

                \(idea.summary).

                ## Installation

                \(install(idea))

                ## Modules

                \(idea.modules.map { "- `\($0)`: the \($0.lowercased()) part of \(idea.name)" }.joined(separator: "\n"))

                ## License

                Released under the MIT license. Maintained by \(owner).
                """),
            ("LICENSE", "MIT License\n\nCopyright (c) 2024 \(owner)\n\nPermission is hereby granted, free of charge, to any person obtaining a copy of this software.\n"),
        ]
        switch idea.language {
        case "Python":
            let package = idea.name.replacingOccurrences(of: "-", with: "_")
            files.append(("pyproject.toml", "[project]\nname = \"\(idea.name)\"\nversion = \"0.3.1\"\ndescription = \"\(idea.summary)\"\nrequires-python = \">=3.9\"\n"))
            files.append(("src/\(package)/__init__.py", "\"\"\"\(idea.summary).\"\"\"\n\n__version__ = \"0.3.1\"\n"))
            for m in idea.modules {
                files.append(("src/\(package)/\(m).py", """
                    \"\"\"The \(m) module of \(idea.name).\"\"\"

                    from dataclasses import dataclass


                    @dataclass
                    class \(m.capitalized)Options:
                        strict: bool = False
                        limit: int = 100


                    def run_\(m)(items, options=None):
                        \"\"\"Apply the \(m) step to every item and return the results.\"\"\"
                        options = options or \(m.capitalized)Options()
                        results = []
                        for item in items[: options.limit]:
                            if options.strict and not item:
                                raise ValueError("empty item in \(m)")
                            results.append(item)
                        return results
                    """))
                files.append(("tests/test_\(m).py", """
                    from \(package).\(m) import run_\(m)


                    def test_\(m)_keeps_items():
                        assert run_\(m)([1, 2, 3]) == [1, 2, 3]
                    """))
            }
        case "JavaScript":
            files.append(("package.json", "{\n  \"name\": \"\(idea.name)\",\n  \"version\": \"1.2.0\",\n  \"description\": \"\(idea.summary)\",\n  \"main\": \"src/index.js\",\n  \"scripts\": { \"test\": \"node --test\" }\n}\n"))
            files.append(("src/index.js", idea.modules.map { "export * from './\($0).js';" }.joined(separator: "\n") + "\n"))
            for m in idea.modules {
                files.append(("src/\(m).js", """
                    // The \(m) module of \(idea.name).

                    export function create\(m.capitalized)(options = {}) {
                      const settings = { limit: 100, ...options };
                      return {
                        run(items) {
                          return items.slice(0, settings.limit).filter((item) => item !== undefined);
                        },
                      };
                    }
                    """))
                files.append(("test/\(m).test.js", """
                    import { test } from 'node:test';
                    import assert from 'node:assert';
                    import { create\(m.capitalized) } from '../src/\(m).js';

                    test('\(m) keeps defined items', () => {
                      assert.deepStrictEqual(create\(m.capitalized)().run([1, undefined, 2]), [1, 2]);
                    });
                    """))
            }
        default:
            let target = idea.name.split(separator: "-").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
            files.append(("Package.swift", """
                // swift-tools-version: 5.9
                import PackageDescription

                let package = Package(
                    name: "\(target)",
                    targets: [
                        .target(name: "\(target)"),
                        .testTarget(name: "\(target)Tests", dependencies: ["\(target)"]),
                    ]
                )
                """))
            for m in idea.modules {
                files.append(("Sources/\(target)/\(m).swift", """
                    /// The \(m.lowercased()) part of \(idea.name).
                    public struct \(m): Sendable {
                        public var limit: Int

                        public init(limit: Int = 100) {
                            self.limit = limit
                        }

                        public func run(_ items: [String]) -> [String] {
                            Array(items.prefix(limit)).filter { !$0.isEmpty }
                        }
                    }
                    """))
                files.append(("Tests/\(target)Tests/\(m)Tests.swift", """
                    import XCTest
                    @testable import \(target)

                    final class \(m)Tests: XCTestCase {
                        func testDropsEmptyItems() {
                            XCTAssertEqual(\(m)().run(["a", "", "b"]), ["a", "b"])
                        }
                    }
                    """))
            }
        }
        return files
    }

    private static func install(_ idea: CodeVocabulary.ProjectIdea) -> String {
        switch idea.language {
        case "Python": "Run `pip install \(idea.name)` or install from a checkout with `pip install -e .`."
        case "JavaScript": "Run `npm install \(idea.name)`."
        default: "Add the package to your `Package.swift` dependencies and run `swift build`."
        }
    }
}
