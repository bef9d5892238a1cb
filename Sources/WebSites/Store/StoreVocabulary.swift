/// Word lists the store's seed data is composed from.
enum StoreVocabulary {
    struct Department {
        let name: String
        let brands: [String]
        let adjectives: [String]
        let materials: [String]
        /// Subcategory name and the product types sold in it.
        let subcategories: [(String, [String])]
        let colors: [String]
        let sizes: [String]
        let priceRange: ClosedRange<Int>   // dollars
        let features: [String]
    }

    static let departments: [Department] = [
        Department(name: "Home & Kitchen",
                   brands: ["Hearthwell", "Casa Verde", "Copperline", "Nordhaus", "Kitchenary", "Oakmere"],
                   adjectives: ["Classic", "Modern", "Rustic", "Compact", "Deluxe", "Everyday"],
                   materials: ["Stainless Steel", "Ceramic", "Bamboo", "Cast Iron", "Glass", "Enamel"],
                   subcategories: [("Cookware", ["Skillet", "Saucepan", "Dutch Oven", "Stockpot", "Wok"]),
                                   ("Kitchen Storage", ["Canister Set", "Spice Rack", "Bread Box", "Food Container Set"]),
                                   ("Bedding", ["Duvet Cover", "Pillowcase Pair", "Quilt", "Throw Blanket"])],
                   colors: ["Black", "White", "Red", "Sage", "Navy"], sizes: [], priceRange: 12...189,
                   features: ["dishwasher safe", "oven safe up to 450°F", "easy to clean", "stackable for storage",
                              "backed by a two-year warranty", "suitable for induction hobs"]),
        Department(name: "Electronics",
                   brands: ["Voltera", "Sonique", "Pixelon", "Auralis", "Brightcore", "Zentrix"],
                   adjectives: ["Wireless", "Portable", "Smart", "Ultra-Slim", "Pro", "Rechargeable"],
                   materials: ["Aluminum", "Matte", "Carbon", "Graphite", "Titanium", "Polycarbonate"],
                   subcategories: [("Headphones", ["Over-Ear Headphones", "Earbuds", "Gaming Headset"]),
                                   ("Speakers", ["Bluetooth Speaker", "Soundbar", "Bookshelf Speakers"]),
                                   ("Computer Accessories", ["Keyboard", "Mouse", "USB-C Hub", "Webcam", "Monitor Stand"])],
                   colors: ["Black", "Silver", "Space Gray", "White", "Blue"], sizes: [], priceRange: 15...349,
                   features: ["up to 30 hours of battery life", "Bluetooth 5.3", "USB-C fast charging",
                              "noise cancelling", "plug and play with no drivers", "a one-year limited warranty"]),
        Department(name: "Clothing, Shoes & Jewelry",
                   brands: ["Northpeak", "Linen & Loom", "Urban Thread", "Marlowe", "Trailborn", "Solace"],
                   adjectives: ["Relaxed", "Slim-Fit", "Lightweight", "Vintage", "Essential", "Quilted"],
                   materials: ["Cotton", "Merino Wool", "Linen", "Denim", "Fleece", "Leather"],
                   subcategories: [("Women's Clothing", ["Cardigan", "Wrap Dress", "Blouse", "Rain Jacket"]),
                                   ("Men's Clothing", ["Crewneck Sweater", "Oxford Shirt", "Chino Pants", "Hoodie"]),
                                   ("Shoes", ["Running Shoes", "Hiking Boots", "Loafers", "Sneakers"])],
                   colors: ["Black", "Navy", "Olive", "Heather Gray", "Burgundy", "Camel"],
                   sizes: ["XS", "S", "M", "L", "XL"], priceRange: 18...160,
                   features: ["machine washable", "breathable all day", "a tailored fit", "reinforced seams",
                              "soft against the skin", "ethically sourced fabric"]),
        Department(name: "Sports & Outdoors",
                   brands: ["Summitry", "Riverbend", "Ironpath", "Basecamp Co.", "Wildgrove", "Tidewater"],
                   adjectives: ["Ultralight", "Waterproof", "Heavy-Duty", "Folding", "All-Weather", "Insulated"],
                   materials: ["Nylon", "Ripstop", "Aluminum", "Neoprene", "Polyester", "Rubber"],
                   subcategories: [("Camping", ["Tent", "Sleeping Bag", "Camp Chair", "Lantern"]),
                                   ("Fitness", ["Yoga Mat", "Dumbbell Set", "Resistance Bands", "Jump Rope"]),
                                   ("Cycling", ["Bike Helmet", "Bike Lock", "Saddle Bag", "Water Bottle Cage"])],
                   colors: ["Forest Green", "Orange", "Black", "Sky Blue", "Charcoal"], sizes: [], priceRange: 9...279,
                   features: ["packs down small", "rated for three seasons", "sweat resistant", "tested on real trails",
                              "easy to assemble", "comes with a carry bag"]),
        Department(name: "Beauty & Personal Care",
                   brands: ["Lumiere", "Botanica", "Pure Ritual", "Velvet Rose", "Aquasoft", "Glowhaus"],
                   adjectives: ["Hydrating", "Gentle", "Nourishing", "Fragrance-Free", "Revitalizing", "Soothing"],
                   materials: ["Aloe", "Shea Butter", "Vitamin C", "Argan Oil", "Charcoal", "Rosewater"],
                   subcategories: [("Skin Care", ["Face Serum", "Moisturizer", "Cleanser", "Eye Cream"]),
                                   ("Hair Care", ["Shampoo", "Conditioner", "Hair Mask", "Styling Cream"]),
                                   ("Bath & Body", ["Body Lotion", "Bath Salts", "Hand Cream", "Body Wash"])],
                   colors: [], sizes: [], priceRange: 6...68,
                   features: ["dermatologist tested", "cruelty free", "suitable for sensitive skin",
                              "free of parabens", "absorbs quickly", "made in small batches"]),
        Department(name: "Office Products",
                   brands: ["Paperline", "Deskwise", "Inkwell", "Stratus", "Ledgerly", "Brightnote"],
                   adjectives: ["Refillable", "Ergonomic", "Premium", "Recycled", "Magnetic", "Adjustable"],
                   materials: ["Kraft Paper", "Walnut", "Steel", "Felt", "Acrylic", "Cork"],
                   subcategories: [("Writing Supplies", ["Gel Pen Set", "Fountain Pen", "Highlighter Pack", "Notebook"]),
                                   ("Desk Organization", ["Desk Organizer", "File Sorter", "Pen Holder", "Letter Tray"]),
                                   ("Office Furniture", ["Office Chair", "Standing Desk Converter", "Footrest"])],
                   colors: ["Black", "Blue", "Gray", "Walnut Brown"], sizes: [], priceRange: 4...249,
                   features: ["smudge-free ink", "keeps a desk tidy", "supports good posture", "acid-free pages",
                              "sturdy enough for daily use", "a minimalist look"]),
        Department(name: "Grocery & Gourmet Food",
                   brands: ["Harvest Lane", "Old Mill", "Sunny Acres", "Bean & Leaf", "Golden Comb", "Peak Pantry"],
                   adjectives: ["Organic", "Small-Batch", "Roasted", "Gluten-Free", "Artisan", "Single-Origin"],
                   materials: ["Dark Chocolate", "Honey", "Almond", "Maple", "Sea Salt", "Cinnamon"],
                   subcategories: [("Coffee & Tea", ["Ground Coffee", "Whole Bean Coffee", "Green Tea", "Chai Blend"]),
                                   ("Snacks", ["Granola", "Trail Mix", "Crackers", "Nut Butter"]),
                                   ("Pantry Staples", ["Olive Oil", "Pasta", "Rice", "Pancake Mix"])],
                   colors: [], sizes: [], priceRange: 3...42,
                   features: ["sustainably sourced", "no artificial flavors", "resealable packaging",
                              "a rich, balanced taste", "great for gifting", "packed fresh"]),
        Department(name: "Tools & Home Improvement",
                   brands: ["Forgeline", "Boltmaster", "Craftwell", "Ridgeway", "Torquex", "Handyman Pro"],
                   adjectives: ["Cordless", "Heavy-Duty", "Precision", "Compact", "Magnetic", "Professional"],
                   materials: ["Steel", "Chrome Vanadium", "Fiberglass", "Brass", "Hardened Steel", "LED"],
                   subcategories: [("Power Tools", ["Drill Driver", "Circular Saw", "Orbital Sander", "Impact Driver"]),
                                   ("Hand Tools", ["Screwdriver Set", "Hammer", "Wrench Set", "Tape Measure"]),
                                   ("Lighting", ["Work Light", "Flashlight", "Ceiling Fixture", "Motion Sensor Light"])],
                   colors: ["Yellow", "Red", "Black", "Blue"], sizes: [], priceRange: 8...299,
                   features: ["a lifetime warranty", "a comfortable grip", "a brushless motor", "includes a storage case",
                              "rust resistant", "bright 1000-lumen output"]),
    ]

    static let firstNames = ["Emma", "Liam", "Olivia", "Noah", "Ava", "Elijah", "Sophia", "James", "Isabella", "Lucas",
                             "Mia", "Mason", "Amelia", "Ethan", "Harper", "Logan", "Evelyn", "Aiden", "Abigail", "Jacob",
                             "Grace", "Daniel", "Chloe", "Henry", "Zoe", "Samuel", "Nora", "Owen", "Lily", "Wyatt",
                             "Hannah", "Carlos", "Priya", "Wei", "Fatima", "Diego", "Aisha", "Mateo", "Yuki", "Omar"]
    static let lastNames = ["Lopez", "Smith", "Johnson", "Williams", "Brown", "Garcia", "Miller", "Davis", "Martinez",
                            "Wilson", "Anderson", "Taylor", "Thomas", "Moore", "Jackson", "Martin", "Lee", "Thompson",
                            "White", "Harris", "Clark", "Lewis", "Robinson", "Walker", "Young", "Allen", "King",
                            "Wright", "Scott", "Nguyen", "Patel", "Kim", "Chen", "Rivera", "Cooper", "Reed", "Bailey"]
    static let streets = ["Maple Avenue", "Oak Street", "Pine Road", "Cedar Lane", "Elm Street", "Washington Boulevard",
                          "Lakeview Drive", "Hillcrest Road", "Sunset Boulevard", "Park Avenue", "River Road",
                          "Highland Avenue", "Church Street", "Meadow Lane", "Broadway", "Mill Street"]
    static let cities: [(String, String, String)] = [   // city, state, zip prefix
        ("Pittsburgh", "PA", "152"), ("Austin", "TX", "787"), ("Seattle", "WA", "981"), ("Denver", "CO", "802"),
        ("Boston", "MA", "021"), ("Chicago", "IL", "606"), ("Portland", "OR", "972"), ("Atlanta", "GA", "303"),
        ("Phoenix", "AZ", "850"), ("San Diego", "CA", "921"), ("Minneapolis", "MN", "554"), ("Nashville", "TN", "372"),
        ("Columbus", "OH", "432"), ("Raleigh", "NC", "276"), ("Madison", "WI", "537"), ("Salt Lake City", "UT", "841")]

    static let shippingMethods: [(name: String, cents: Int)] = [("Flat Rate", 500), ("Express", 1500), ("Free Shipping", 0)]

    // Review text is composed from templates by rating so tone matches the stars.
    static let reviewTitles: [Int: [String]] = [
        5: ["Absolutely love it", "Exceeded my expectations", "Best purchase this year", "Worth every penny", "Five stars"],
        4: ["Really good", "Very happy with it", "Solid choice", "Great value", "Almost perfect"],
        3: ["It's okay", "Decent but not great", "Does the job", "Mixed feelings", "Average"],
        2: ["Disappointed", "Not as described", "Expected better", "Meh", "Would not buy again"],
        1: ["Terrible", "Broke after a week", "Waste of money", "Do not buy", "Very poor quality"],
    ]
    static let reviewOpeners: [Int: [String]] = [
        5: ["I bought the %@ for my %@ and it is fantastic.", "This %@ is everything I hoped for.",
            "We have used the %@ every day for a month now and it still feels new."],
        4: ["The %@ works well for my %@.", "Overall the %@ is a good buy.", "I am pleased with this %@."],
        3: ["The %@ is fine for the price.", "My %@ arrived quickly, but it is nothing special.",
            "I have mixed feelings about this %@."],
        2: ["I wanted to like this %@.", "The %@ looked better in the photos.", "My %@ had a few problems."],
        1: ["The %@ stopped working almost immediately.", "I returned this %@ after two days.",
            "Save your money and skip this %@."],
    ]
    static let reviewUses = ["home", "office", "apartment", "family", "daily routine", "weekend trips", "partner", "kids"]
    static let reviewDetails: [Int: [String]] = [
        5: ["The quality is outstanding and it feels sturdy.", "Shipping was fast and the packaging was neat.",
            "It looks even better in person.", "Setup took less than five minutes.", "I already ordered a second one as a gift."],
        4: ["The build quality is good, though the instructions could be clearer.", "It is slightly smaller than I expected.",
            "Good value for the money.", "Delivery took a little longer than promised.", "The color is exactly as pictured."],
        3: ["It works, but the finish feels a bit cheap.", "Some features are hard to figure out.",
            "It is fine for occasional use.", "The size runs a little off.", "Customer service was slow to answer."],
        2: ["The material feels flimsy.", "It arrived with a scratch on the side.", "The color was noticeably different.",
            "It is much louder than advertised.", "The fit is uncomfortable."],
        1: ["The seams came apart after the first use.", "Customer support never replied to my emails.",
            "It arrived damaged and smelled of chemicals.", "Nothing about it works as described.", "The battery died within days."],
    ]
    static let reviewClosers: [Int: [String]] = [
        5: ["Highly recommended!", "I would buy it again without hesitation.", "Love it."],
        4: ["I would recommend it.", "Happy overall.", "Good purchase."],
        3: ["It is okay for the price.", "Maybe look around before buying.", "Not bad, not great."],
        2: ["I expected more.", "Probably returning it.", "Not recommended."],
        1: ["Avoid.", "Zero stars if I could.", "Very disappointed."],
    ]
}
