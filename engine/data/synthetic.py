"""A synthetic shop with a known structure: the demo data set and the ground truth of tests.

The shop has ten categories (Books, Electronics, Kitchen, ...), each with four
sub-categories and its own vocabulary, so item titles and descriptions read like a real
catalogue and a text model can tell the categories apart. Item popularity is Zipf-like
within every sub-category.

Every user has a stable long-term taste: one to three favourite categories with weights.
Behaviour arrives in sessions (a few items minutes apart; sessions days apart, over about
a year). Each session keeps to one category: one drawn from the taste, or, with
probability ``drift_probability``, a *drift* category outside it. Inside a session the
next item is, most often, one of the previous item's related items or another item of
its sub-category, so a short-term model that reads the last items predicts the next one
far better than the long-term taste alone; a long-term model in turn knows which
categories a user comes back to. A user never interacts with the same item twice.

The planted truth is kept next to the data (:class:`Shop`): each item's category and
sub-category and related items, each user's taste weights, and each interaction's session
and whether that session drifted. :func:`write_csv` writes only what a user of the app
would import.

Everything is drawn from ``numpy.random.Generator.random`` (uniform doubles, whose stream
NumPy keeps stable) and transformed by hand, so a seed gives the same files on every
machine and NumPy version. One million interactions take a few seconds.

Command line: ``python -m cli.synthetic --out DIR [--large] [--seed N]``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

INTERACTIONS_FILE = "interactions.csv"
ITEMS_FILE = "items.csv"
INTERACTION_COLUMNS = ["user_id", "item_id", "rating", "timestamp"]
ITEM_COLUMNS = ["item_id", "title", "description", "category"]

START_TIME = 1672531200  # 2023-01-01 00:00:00 UTC
DAY = 86400

# --------------------------------------------------------------------------------------
# Vocabulary. Slot values are stored in lower case unless they are names or measures;
# templates write ``{Slot}`` for the capitalised form and ``{slot}`` for the stored one.
# Every sub-category has its own nouns, measures ("spec") and selling points ("feature")
# and may override any slot of its category.
# Extra slots the templates use: ``a_adj`` ("a compact", "an ergonomic", or "compact"
# before a plural noun), ``this``/``is`` ("This ... is" / "These ... are") and
# ``brands`` (the possessive: "Ovenly's", "Tidepool Pets'").
# --------------------------------------------------------------------------------------

_DEFAULT_TITLES = [
    "{Brand} {Adj} {Material} {Noun} {spec}",
    "{Adj} {Material} {Noun}, {spec}",
    "{Brand} {Noun} {spec}, {Adj}",
]


def _sub(nouns: list[str], spec: list[str], feature: list[str], **overrides: list[str],
         ) -> dict[str, list[str]]:
    return {"nouns": nouns, "spec": spec, "feature": feature, **overrides}


CATALOGUE: dict[str, dict] = {
    "Books": {
        "subcategories": {
            "Fiction": _sub(
                ["mystery novel", "thriller", "historical novel", "romance novel",
                 "fantasy saga", "short story collection"],
                ["256 pages", "320 pages", "416 pages", "480 pages"],
                ["Readers praise its gripping plot and memorable characters.",
                 "Every chapter ends with a page-turning twist.",
                 "Shortlisted for a national fiction prize."]),
            "Cookbooks": _sub(
                ["cookbook", "baking guide", "recipe collection", "vegetarian cookbook",
                 "bread handbook"],
                ["192 pages", "240 pages", "288 pages"],
                ["Over one hundred recipes with step-by-step photographs.",
                 "Seasonal menus, pantry basics and tips from a chef.",
                 "Recipes for weeknight suppers, cakes and sourdough."]),
            "Children's Books": _sub(
                ["picture book", "bedtime story book", "activity book", "early reader",
                 "illustrated fairy tale"],
                ["32 pages", "48 pages", "64 pages"],
                ["Bright illustrations on every page for young readers.",
                 "A gentle story to read aloud at bedtime.",
                 "Helps children learn letters, words and numbers."]),
            "Science & Nature": _sub(
                ["field guide", "popular science book", "astronomy atlas",
                 "natural history", "birdwatching handbook"],
                ["224 pages", "352 pages", "400 pages"],
                ["Explains the universe, evolution and the climate in plain words.",
                 "Hundreds of maps, diagrams and photographs of wildlife.",
                 "Written by a scientist for curious readers."]),
        },
        "adj": ["silent", "hidden", "forgotten", "golden", "midnight", "winter", "lost",
                "secret", "northern", "crimson"],
        "material": ["hardcover", "paperback", "large print edition", "illustrated edition"],
        "brand": ["Northwind Press", "Harbor House Books", "Lantern Publishing",
                  "Bluequill Editions", "Maple & Finch", "Open Page Books"],
        "motif": ["harbor", "garden", "lighthouse", "kingdom", "orchard", "river",
                  "library", "island", "forest", "station"],
        "author": ["Clara Whitfield", "Jonah Reyes", "Mira Takahashi", "Ellis Okafor",
                   "Sofia Lindqvist", "Tom Barrow", "Amara Singh", "Leo Marchetti"],
        "feature": ["A bestseller loved by book clubs and librarians.",
                    "The author's most acclaimed book, now in a new edition.",
                    "Includes a foreword by the author and a reading guide."],
        "titles": [
            "The {Adj} {Motif}: {Noun} ({material})",
            "{Adj} {Motif}, a {Noun} by {author}",
            "The {Motif} Book of {Adj} Tales: {Noun}",
        ],
        "descriptions": [
            "{A_adj} {noun} by {author}, published by {brand} ({spec}).",
            "{author}'s {noun} about the {adj} {motif}, in {material}.",
            "In this {noun}, {author} writes about the {adj} {motif}; {spec} from {brand}.",
        ],
    },
    "Electronics": {
        "subcategories": {
            "Audio": _sub(
                ["wireless headphones", "bluetooth speaker", "soundbar", "earbuds",
                 "portable radio"],
                ["Bluetooth 5.3", "20 W", "40 mm drivers", "30-hour battery"],
                ["Active noise cancelling blocks out trains, planes and open offices.",
                 "Deep bass and crisp treble from a tuned acoustic chamber.",
                 "Battery lasts up to 30 hours on a single charge."]),
            "Computers": _sub(
                ["laptop stand", "mechanical keyboard", "wireless mouse", "USB-C hub",
                 "portable SSD", "monitor"],
                ["1 TB", "27-inch", "4K", "7-in-1", "2.4 GHz"],
                ["Compatible with Windows, macOS and Linux laptops.",
                 "Tactile switches and programmable keys for long coding sessions.",
                 "Transfers files at up to 1,050 MB/s over USB-C."]),
            "Phones & Tablets": _sub(
                ["phone case", "tablet", "fast charger", "power bank",
                 "screen protector"],
                ["128 GB", "10,000 mAh", "65 W", "11-inch"],
                ["Charges a phone to fifty percent in thirty minutes.",
                 "Drop-tested to protect your smartphone and tablet screen.",
                 "Works with Android phones, iPhones and iPads."]),
            "Smart Home": _sub(
                ["smart plug", "Wi-Fi camera", "smart bulb", "video doorbell",
                 "motion sensor"],
                ["1080p", "2K", "2.4 GHz Wi-Fi", "4-pack"],
                ["Control it by voice with Alexa or Google Assistant.",
                 "Sends motion alerts and night vision video to your phone.",
                 "Set schedules and automations in the companion app."]),
        },
        "adj": ["wireless", "ultra-slim", "fast-charging", "portable", "smart",
                "high-resolution", "ergonomic", "compact"],
        "material": ["aluminium", "matte plastic", "tempered glass", "carbon fibre",
                     "silicone"],
        "brand": ["Voltix", "Nexora", "Lumatek", "Aurion", "Sonique", "Kelvar"],
        "feature": ["Firmware updates arrive through the companion app.",
                    "Includes a two-year warranty and a braided USB-C cable.",
                    "Low-latency connection for gaming, streaming and video calls."],
        "descriptions": [
            "{A_adj} {noun} with {material} housing from {brand}, {spec}.",
            "{Brands} {adj} {noun} ({spec}) in {material} for your desk, home and travels.",
            "{This} {noun} from {brand} {is} {adj} and built from {material}.",
        ],
    },
    "Kitchen": {
        "subcategories": {
            "Cookware": _sub(
                ["frying pan", "saucepan", "stock pot", "wok", "casserole dish", "griddle"],
                ["20 cm", "24 cm", "28 cm", "5 L", "3-piece set"],
                ["Heats evenly on gas, electric and induction hobs.",
                 "Oven safe up to 250 degrees with a tight-fitting lid.",
                 "A non-stick coating lets omelettes and pancakes slide right out."]),
            "Small Appliances": _sub(
                ["electric kettle", "toaster", "blender", "coffee grinder", "hand mixer",
                 "rice cooker"],
                ["1.7 L", "1200 W", "2-slice", "4-slice", "600 W"],
                ["Boils a litre of water in under three minutes.",
                 "Variable speed settings for smoothies, soups and batters.",
                 "Automatic shut-off and a removable crumb tray."],
                material=["stainless steel", "brushed steel", "matte plastic", "glass"]),
            "Tableware": _sub(
                ["dinner plate set", "pasta bowl", "mug set", "serving platter",
                 "wine glasses"],
                ["4-piece set", "6-piece set", "350 ml", "30 cm"],
                ["Microwave safe and stackable for a tidy cupboard.",
                 "Elegant glaze for dinner parties and everyday meals.",
                 "Chip-resistant rims that survive daily family use."],
                material=["stoneware", "porcelain", "ceramic", "crystal glass"]),
            "Utensils & Storage": _sub(
                ["chef's knife", "cutting board", "spatula set", "food storage containers",
                 "spice rack", "measuring cups"],
                ["20 cm", "5-piece set", "10-pack", "45 cm"],
                ["Razor-sharp blade for slicing, dicing and chopping vegetables.",
                 "Airtight lids keep leftovers, grains and spices fresh.",
                 "Hangs neatly on the wall to free up drawer space."],
                material=["stainless steel", "bamboo", "olive wood", "silicone",
                          "borosilicate glass"]),
        },
        "adj": ["compact", "non-stick", "heavy-duty", "classic", "dishwasher-safe",
                "stackable", "professional", "everyday"],
        "material": ["stainless steel", "cast iron", "ceramic", "enamelled steel", "copper",
                     "hard-anodised aluminium"],
        "brand": ["Ovenly", "Copperleaf", "Hearth & Co", "Culina", "Saltbox", "Brightpan"],
        "feature": ["Dishwasher safe and easy to clean after everyday cooking.",
                    "Ideal for weeknight dinners, baking and meal prep.",
                    "Food-safe materials, free of PFOA and BPA."],
        "descriptions": [
            "{A_adj} {noun} in {material} from {brand}, {spec}.",
            "{Brands} {adj} {material} {noun} for the everyday kitchen ({spec}).",
            "{This} {material} {noun} by {brand} {is} {adj} and made for home cooks.",
        ],
    },
    "Garden": {
        "subcategories": {
            "Plants & Seeds": _sub(
                ["tomato seeds", "herb seed kit", "lavender plant", "flower bulbs",
                 "succulent collection"],
                ["50 seeds", "3-pack", "9 cm pot", "25 bulbs"],
                ["Sow in spring and harvest from midsummer.",
                 "Grows well in full sun or partial shade with regular watering.",
                 "Fills borders with colour and attracts bees and butterflies."],
                material=["organic", "peat-free", "pollinator-friendly", "heirloom"]),
            "Garden Tools": _sub(
                ["pruning shears", "garden trowel", "rake", "hedge trimmer", "wheelbarrow",
                 "spade"],
                ["20 cm", "120 cm", "100 L", "cordless 18 V"],
                ["Cuts through branches, hedges and thick stems with ease.",
                 "Digs, turns and levels soil in vegetable beds.",
                 "A cushioned grip reduces strain during long days of weeding."]),
            "Watering": _sub(
                ["garden hose", "watering can", "sprinkler", "drip irrigation kit",
                 "hose reel"],
                ["15 m", "30 m", "10 L", "5 L"],
                ["Waters lawns, seedlings and hanging baskets evenly.",
                 "Kink-free hose with a multi-pattern spray nozzle.",
                 "Saves water with a timer for beds and greenhouses."]),
            "Garden Furniture": _sub(
                ["patio chair", "garden bench", "parasol", "planter box", "raised bed"],
                ["2-seater", "120 cm", "2.7 m", "80 x 40 cm"],
                ["Turns any patio, terrace or balcony into an outdoor living room.",
                 "Weather-treated to stay outside from spring to autumn.",
                 "Grow vegetables and herbs at a comfortable height."]),
        },
        "adj": ["weatherproof", "ergonomic", "frost-hardy", "lightweight", "rust-resistant",
                "extendable", "sturdy", "traditional"],
        "material": ["galvanised steel", "teak", "recycled plastic", "terracotta",
                     "powder-coated aluminium", "cedar wood"],
        "brand": ["GreenThumb", "Fernwood", "Bloomfield", "Rootwise", "Meadowlane",
                  "Sproutly"],
        "feature": ["Perfect for borders, vegetable patches and balcony pots.",
                    "Helps your lawn, compost and seedlings thrive.",
                    "Withstands rain, frost and strong sunlight all season."],
        "descriptions": [
            "{A_adj} {noun} in {material} from {brand} ({spec}) for the garden.",
            "{Brands} {adj} {noun} for patios, allotments and flower beds, {spec}.",
            "{This} {material} {noun} by {brand} {is} {adj} and ready for the garden.",
        ],
    },
    "Sports": {
        "subcategories": {
            "Fitness": _sub(
                ["yoga mat", "kettlebell", "resistance bands", "dumbbell set",
                 "skipping rope", "foam roller"],
                ["6 mm", "8 kg", "12 kg", "20 kg set"],
                ["Supports strength, cardio and endurance workouts at home.",
                 "A non-slip surface for yoga, pilates and stretching.",
                 "Builds muscle with squats, swings and presses."]),
            "Team Sports": _sub(
                ["football", "basketball", "volleyball", "shin guards",
                 "goalkeeper gloves"],
                ["size 5", "size 7", "size 4", "medium"],
                ["Approved for league play and club tournaments.",
                 "Consistent bounce and flight on grass, court and turf.",
                 "Trusted by coaches, referees and youth teams."]),
            "Cycling": _sub(
                ["bike helmet", "cycling jersey", "bike light set", "water bottle cage",
                 "bike pump"],
                ["size M", "size L", "800 lumen", "160 psi"],
                ["Keeps riders safe and visible on road and gravel rides.",
                 "Fits road bikes, mountain bikes and commuter bicycles.",
                 "Aerodynamic fit for long rides and sportives."]),
            "Racket Sports": _sub(
                ["tennis racket", "badminton set", "squash balls", "padel racket",
                 "table tennis bats"],
                ["275 g", "300 g", "3-pack", "4-player set"],
                ["Improves spin, control and power on the court.",
                 "A balanced frame for baseline rallies and volleys.",
                 "Grip tape and strings chosen for club players."]),
        },
        "adj": ["lightweight", "breathable", "professional", "anti-slip", "shock-absorbing",
                "aerodynamic", "training", "competition"],
        "material": ["neoprene", "synthetic leather", "carbon fibre", "polyurethane",
                     "moisture-wicking polyester", "natural rubber"],
        "brand": ["Stridex", "Apexa", "Velocore", "Kinetiq", "Pulsefit", "Sprintline"],
        "feature": ["Built for training sessions, matches and daily workouts.",
                    "A sweat-resistant design for the gym and the pitch.",
                    "Trusted by athletes and weekend players."],
        "descriptions": [
            "{A_adj} {noun} in {material} from {brand}, {spec}.",
            "{Brands} {adj} {noun} ({spec}) for athletes who train hard.",
            "{This} {material} {noun} by {brand} {is} {adj} and match ready.",
        ],
    },
    "Toys": {
        "subcategories": {
            "Building Sets": _sub(
                ["building blocks set", "marble run", "construction kit", "magnetic tiles",
                 "robot kit"],
                ["100 pieces", "250 pieces", "ages 4+", "ages 8+"],
                ["Kids build towers, bridges and castles, then start again.",
                 "Teaches early engineering, coding and problem solving.",
                 "Compatible with the other sets of the range."]),
            "Dolls & Figures": _sub(
                ["rag doll", "action figure", "dollhouse", "puppet theatre", "plush bear"],
                ["30 cm", "ages 3+", "5-piece set", "ages 18 months+"],
                ["Soft, huggable and perfect for role play and bedtime cuddles.",
                 "Poseable limbs and accessories for endless adventures.",
                 "Inspires storytelling and pretend play."]),
            "Board Games": _sub(
                ["board game", "card game", "jigsaw puzzle", "strategy game",
                 "memory game"],
                ["2-6 players", "500 pieces", "1000 pieces", "ages 8+"],
                ["A family game night favourite that takes thirty minutes to play.",
                 "Easy rules for children, with enough strategy for grown-ups.",
                 "Illustrated pieces that fit together perfectly."]),
            "Outdoor Play": _sub(
                ["kite", "water blaster", "balance bike", "sandpit toys", "bubble machine"],
                ["ages 3+", "ages 5+", "12-inch", "6-piece set"],
                ["Gets kids running around the park, beach and back garden.",
                 "Summer fun in the paddling pool and the sandpit.",
                 "Builds balance and confidence before a first bicycle."]),
        },
        "adj": ["colourful", "educational", "cuddly", "award-winning", "creative", "family",
                "giant", "musical"],
        "material": ["wooden", "soft plush", "recycled plastic", "cardboard", "beechwood"],
        "brand": ["Playwell", "Tinkertot", "Jollybee", "Brickbox", "Whimsy Lane",
                  "Kiddo Works"],
        "feature": ["Safety tested for toddlers and young children.",
                    "A favourite birthday present for boys and girls.",
                    "Hours of fun for kids, parents and grandparents."],
        "descriptions": [
            "{A_adj} {noun} in {material} from {brand}, {spec}.",
            "{Brands} {adj} {noun} for playtime at home and at nursery ({spec}).",
            "{This} {material} {noun} by {brand} {is} {adj} and made for little hands.",
        ],
    },
    "Beauty": {
        "subcategories": {
            "Skincare": _sub(
                ["face moisturiser", "vitamin C serum", "cleansing gel", "night cream",
                 "sheet mask set", "eye cream"],
                ["30 ml", "50 ml", "SPF 30", "5-pack"],
                ["Leaves skin soft, radiant and hydrated all day.",
                 "Apply morning and evening to cleansed skin.",
                 "Reduces fine lines, dark spots and redness."]),
            "Haircare": _sub(
                ["shampoo", "conditioner", "hair oil", "styling mousse", "hair mask"],
                ["250 ml", "400 ml", "100 ml", "200 ml"],
                ["Smooths frizz and adds shine to dry, curly hair.",
                 "Strengthens hair from root to tip and soothes the scalp.",
                 "Safe for colour-treated and bleached hair."]),
            "Makeup": _sub(
                ["lipstick", "mascara", "foundation", "eyeshadow palette", "blush"],
                ["3.5 g", "10 ml", "30 ml", "12 shades"],
                ["Blendable pigment for a flawless everyday look.",
                 "Smudge-proof colour that lasts from morning to night.",
                 "Available in shades for every skin tone."]),
            "Fragrance": _sub(
                ["eau de parfum", "body mist", "scented candle", "perfume oil",
                 "eau de toilette"],
                ["50 ml", "100 ml", "10 ml", "200 g"],
                ["Notes of jasmine, bergamot and warm vanilla.",
                 "A fresh citrus scent that lingers on skin and clothes.",
                 "An elegant bottle that makes a perfect gift."]),
        },
        "adj": ["hydrating", "fragrance-free", "vegan", "long-lasting", "nourishing",
                "brightening", "gentle", "luxurious"],
        "material": ["hyaluronic acid", "shea butter", "argan oil", "aloe vera",
                     "rosehip oil", "niacinamide"],
        "brand": ["Lumière", "Velvetine", "Pure Botanica", "Glowly", "Dewdrop Labs",
                  "Maison Rose"],
        "feature": ["Dermatologically tested and suitable for sensitive skin.",
                    "A cruelty-free formula, never tested on animals.",
                    "Free of parabens, sulphates and mineral oil."],
        "titles": [
            "{Brand} {Adj} {Noun} with {Material} {spec}",
            "{Adj} {Noun} with {Material}, {spec}",
            "{Brand} {Noun} {spec}, {Adj}",
        ],
        "descriptions": [
            "{A_adj} {noun} with {material} from {brand}, {spec}.",
            "{Brands} {adj} {noun} ({spec}) enriched with {material}.",
            "{This} {noun} by {brand} {is} {adj} and blended with {material}.",
        ],
    },
    "Music": {
        "subcategories": {
            "Guitars": _sub(
                ["acoustic guitar", "electric guitar", "bass guitar", "ukulele",
                 "guitar strings"],
                ["4/4 size", "3/4 size", "6-string", "medium gauge"],
                ["Rich tone and long sustain for strumming and fingerpicking.",
                 "Comes with a gig bag, a tuner and spare strings.",
                 "A smooth neck and low action for easy chords."]),
            "Keyboards": _sub(
                ["digital piano", "MIDI keyboard", "synthesiser", "keyboard stand",
                 "stage piano"],
                ["61 keys", "88 keys", "49 keys", "adjustable height"],
                ["Weighted hammer action feels like an acoustic piano.",
                 "Hundreds of voices, rhythms and a built-in metronome.",
                 "Plugs into your DAW over USB for recording."]),
            "Drums & Percussion": _sub(
                ["drum kit", "cajon", "snare drum", "drumsticks", "tambourine"],
                ["5-piece", "14-inch", "size 5A", "22-inch bass drum"],
                ["Punchy attack and warm resonance for rehearsal and gigs.",
                 "Includes cymbals, a throne and a pair of sticks.",
                 "Tunable heads for bright or deep sounds."]),
            "Studio": _sub(
                ["studio microphone", "audio interface", "studio monitors", "pop filter",
                 "mixing desk"],
                ["XLR", "24-bit/192 kHz", "5-inch", "8-channel"],
                ["Low-noise preamps capture vocals and instruments in detail.",
                 "Flat frequency response for accurate mixing and mastering.",
                 "Ready for podcasting, home recording and streaming."],
                material=["steel mesh", "aluminium", "MDF cabinet", "metal"]),
        },
        "adj": ["vintage", "beginner", "stage-ready", "handcrafted", "professional", "tuned",
                "analogue", "studio-grade"],
        "material": ["spruce", "mahogany", "rosewood", "maple", "birch", "walnut"],
        "brand": ["Tonewood", "Harmonix", "Resona", "Fretline", "Cadenza",
                  "Bassline Audio"],
        "feature": ["A responsive feel for beginners and seasoned musicians alike.",
                    "Plug into your amp, mixer or headphones and start playing.",
                    "Stays in tune through long rehearsals and concerts."],
        "descriptions": [
            "{A_adj} {noun} with {material} finish from {brand}, {spec}.",
            "{Brands} {adj} {noun} ({spec}) for the stage and the studio.",
            "{This} {material} {noun} by {brand} {is} {adj} and sounds great.",
        ],
    },
    "Outdoors": {
        "subcategories": {
            "Camping": _sub(
                ["dome tent", "sleeping bag", "camping stove", "camping lantern",
                 "sleeping mat", "folding camp chair"],
                ["2-person", "3-person", "-10 °C comfort", "4000 mm"],
                ["Pitches in five minutes at any campsite.",
                 "Rated for three-season nights under the stars.",
                 "Cooks breakfast and boils water at the campfire."]),
            "Hiking": _sub(
                ["hiking boots", "trekking poles", "daypack", "rain jacket",
                 "hydration bladder"],
                ["30 L", "45 L", "size 42", "2 L"],
                ["Grips on muddy trails, scree and rocky mountain paths.",
                 "Keeps you dry on long treks through rain and wind.",
                 "Padded straps carry snacks, maps and layers all day."]),
            "Climbing": _sub(
                ["climbing harness", "carabiner set", "chalk bag", "climbing rope",
                 "belay device"],
                ["60 m", "9.8 mm", "6-pack", "size M"],
                ["Certified for sport climbing, bouldering and multi-pitch routes.",
                 "Locks securely at the crag and in the climbing gym.",
                 "Trusted by climbers from indoor walls to alpine faces."]),
            "Fishing": _sub(
                ["fishing rod", "spinning reel", "tackle box", "fishing lure set",
                 "landing net"],
                ["2.1 m", "2.7 m", "size 3000", "24-piece set"],
                ["Casts far on rivers, lakes and the open sea.",
                 "A smooth drag for trout, pike and carp.",
                 "Everything an angler needs for a day on the water."]),
        },
        "adj": ["waterproof", "ultralight", "four-season", "windproof", "insulated",
                "rugged", "packable", "all-terrain"],
        "material": ["ripstop nylon", "gore-tex", "merino wool", "down fill",
                     "anodised aluminium", "cordura"],
        "brand": ["Trailhaven", "Summitcraft", "Northridge", "Wildpine", "Basecamp Co",
                  "Alpenfox"],
        "feature": ["Packs down small for backpacking and expeditions.",
                    "Reinforced seams and a lifetime guarantee against defects.",
                    "Built for adventurers who head off the beaten path."],
        "descriptions": [
            "{A_adj} {noun} in {material} from {brand}, {spec}.",
            "{Brands} {adj} {noun} ({spec}) for the trail, the crag and the lake.",
            "{This} {material} {noun} by {brand} {is} {adj} and made for the wild.",
        ],
    },
    "Pets": {
        "subcategories": {
            "Dogs": _sub(
                ["dog lead", "dog bed", "chew toy", "dog harness", "dog food bowl",
                 "puppy training pads"],
                ["small", "medium", "large", "1.5 m"],
                ["Helps with training, recall and daily walks.",
                 "Keeps puppies and senior dogs comfortable at home.",
                 "Stands up to chewing, tugging and fetching."]),
            "Cats": _sub(
                ["cat scratching post", "cat tree", "litter tray", "cat toy mouse",
                 "cat carrier"],
                ["80 cm", "120 cm", "3-pack", "large"],
                ["Saves your sofa from claws and keeps kittens busy.",
                 "A cosy hideaway for naps and climbing.",
                 "Easy to clean and controls litter odours."]),
            "Aquarium": _sub(
                ["aquarium filter", "fish tank", "aquarium heater", "aquarium gravel bag",
                 "fish food flakes"],
                ["60 L", "120 L", "100 W", "2 kg"],
                ["Creates clean, clear water for tropical and goldfish tanks.",
                 "Keeps water at a steady temperature for healthy fish.",
                 "A nutritious diet for guppies, tetras and goldfish."],
                material=["glass", "acrylic", "natural quartz", "plastic"]),
            "Small Pets": _sub(
                ["rabbit hutch", "hamster cage", "timothy hay bale", "bird cage",
                 "small animal water bottle"],
                ["small", "large", "1 kg", "120 cm"],
                ["Room to play, burrow and rest for rabbits and guinea pigs.",
                 "Chew-safe bars and a deep base for hamsters and gerbils.",
                 "Keeps budgies, canaries and finches happy."]),
        },
        "adj": ["durable", "orthopaedic", "chew-proof", "washable", "reflective", "cosy",
                "adjustable", "easy-clean"],
        "material": ["memory foam", "nylon webbing", "sisal rope", "natural rubber",
                     "fleece", "pine wood"],
        "brand": ["Pawfect", "Whiskerly", "Barkside", "Furrow & Tail", "Tidepool Pets",
                  "Happy Hound"],
        "feature": ["Vet recommended for puppies, kittens and senior pets.",
                    "Non-toxic and safe for curious chewers.",
                    "Keeps your dog, cat or rabbit happy and entertained."],
        "descriptions": [
            "{A_adj} {noun} in {material} from {brand}, {spec}.",
            "{Brands} {adj} {noun} ({spec}) for happy, healthy pets.",
            "{This} {material} {noun} by {brand} {is} {adj} and pet approved.",
        ],
    },
}

# Sentences any shop writes under any product; they make the text a little less clean.
GENERIC_SENTENCES = [
    "A great gift idea.",
    "Ships in recyclable packaging.",
    "Backed by our 30-day return policy.",
    "Rated highly by our customers.",
    "A popular choice this season.",
    "Excellent value for money.",
]

CATEGORIES: list[str] = list(CATALOGUE)
_SLOTS = ("nouns", "adj", "material", "brand", "spec", "motif", "author")
_N_SUBCATEGORIES = [len(CATALOGUE[c]["subcategories"]) for c in CATEGORIES]


# --------------------------------------------------------------------------------------
# Configuration and result
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShopConfig:
    """Size and behaviour of a synthetic shop. The defaults make the shipped demo."""

    n_users: int = 300
    n_items: int = 1200
    sessions_per_user: tuple[int, int] = (3, 8)  # inclusive, uniform
    session_length: tuple[int, int] = (2, 10)  # inclusive; P(length) ~ session_decay**(length - min)
    session_decay: float = 0.8
    drift_probability: float = 0.3  # share of sessions in a category outside the taste
    favourites: tuple[int, int] = (1, 3)  # inclusive range of favourite categories per user
    p_related: float = 0.45  # next item: one of the previous item's related items
    p_same_subcategory: float = 0.35  # next item: another item of the previous sub-category
    # the rest: an item of another sub-category of the session's category
    n_related: int = 5
    zipf_exponent: float = 0.9  # item popularity ~ rank**-zipf_exponent within a sub-category
    span_days: int = 330  # sessions of a user are spread over about this many days
    start_time: int = START_TIME
    same_second_probability: float = 0.01  # chance that an item follows the previous one in the same second
    seed: int = 0

    def __post_init__(self) -> None:
        def bad(message: str) -> None:
            raise ValueError(f"ShopConfig: {message}")

        if self.n_users < 1:
            bad("n_users must be at least 1")
        n_sub = sum(_N_SUBCATEGORIES)
        if self.n_items < n_sub * (self.n_related + 2):
            bad(f"n_items must be at least {n_sub * (self.n_related + 2)} "
                f"({n_sub} sub-categories of at least {self.n_related + 2} items)")
        lo, hi = self.sessions_per_user
        if not 1 <= lo <= hi:
            bad("sessions_per_user must be (lo, hi) with 1 <= lo <= hi")
        lo, hi = self.session_length
        if not 1 <= lo <= hi:
            bad("session_length must be (lo, hi) with 1 <= lo <= hi")
        lo, hi = self.favourites
        if not 1 <= lo <= hi <= len(CATEGORIES) - 1:
            bad(f"favourites must be (lo, hi) with 1 <= lo <= hi <= {len(CATEGORIES) - 1}")
        if not 0.0 < self.session_decay <= 1.0:
            bad("session_decay must be in (0, 1]")
        for name in ("drift_probability", "p_related", "p_same_subcategory",
                     "same_second_probability"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                bad(f"{name} must be in [0, 1]")
        if self.p_related + self.p_same_subcategory > 1.0:
            bad("p_related + p_same_subcategory must not exceed 1")
        if self.n_related < 1:
            bad("n_related must be at least 1")
        if self.span_days < 1:
            bad("span_days must be at least 1")

    @classmethod
    def large(cls, seed: int = 0) -> "ShopConfig":
        """About 1,000,000 interactions (20,000 users, 5,000 items) for scale checks."""
        return cls(n_users=20_000, n_items=5_000, sessions_per_user=(7, 18), seed=seed)

    @property
    def mean_session_length(self) -> float:
        lo, hi = self.session_length
        lengths = np.arange(lo, hi + 1)
        p = self.session_decay ** (lengths - lo)
        return float((lengths * p).sum() / p.sum())

    @property
    def expected_interactions(self) -> float:
        """Interactions drawn before repeated (user, item) pairs are removed."""
        lo, hi = self.sessions_per_user
        return self.n_users * (lo + hi) / 2 * self.mean_session_length


@dataclass(eq=False)
class Shop:
    """Generated data plus the planted truth. Item rows are in item id order."""

    interactions: pd.DataFrame  # user_id, item_id, rating, timestamp, session, drift
    items: pd.DataFrame  # item_id, title, description, category, subcategory
    taste: np.ndarray  # (n_users, n_categories) float64, rows sum to 1, row = user index
    categories: list[str]
    subcategories: list[str]  # "Category/Sub-category"
    subcategory_category: np.ndarray  # category index of every sub-category
    item_category: np.ndarray  # category index per item row
    item_subcategory: np.ndarray  # sub-category index per item row
    related: np.ndarray  # (n_items, n_related) item rows that tend to follow each item
    user_index: np.ndarray  # user row per interaction (u00042 -> 42)
    item_index: np.ndarray  # item row per interaction (i01234 -> 1234)
    config: ShopConfig = field(default_factory=ShopConfig)

    @property
    def n_users(self) -> int:
        return self.taste.shape[0]

    @property
    def n_items(self) -> int:
        return len(self.items)

    @property
    def user_ids(self) -> np.ndarray:
        return _ids("u", self.n_users)

    @property
    def item_ids(self) -> np.ndarray:
        return self.items["item_id"].to_numpy(dtype=object)

    @property
    def favourite_category(self) -> np.ndarray:
        """The category of largest taste weight, per user."""
        return self.taste.argmax(axis=1)

    @property
    def interaction_category(self) -> np.ndarray:
        return self.item_category[self.item_index]

    @property
    def interaction_subcategory(self) -> np.ndarray:
        return self.item_subcategory[self.item_index]


# --------------------------------------------------------------------------------------
# Generation
# --------------------------------------------------------------------------------------


def _ids(prefix: str, n: int) -> np.ndarray:
    width = max(5, len(str(n - 1)))
    return np.array([f"{prefix}{i:0{width}d}" for i in range(n)], dtype=object)


def _exponential(u: np.ndarray) -> np.ndarray:
    """Standard exponential variates from uniforms in [0, 1)."""
    return -np.log1p(-u)


def _pick(u: np.ndarray, n: int | np.ndarray) -> np.ndarray:
    """Uniform integers in [0, n) from uniforms in [0, 1)."""
    return np.minimum((u * n).astype(np.int64), np.asarray(n) - 1)


def _sample_rows(weights: np.ndarray, u: np.ndarray) -> np.ndarray:
    """One column per row of ``weights`` (non-negative, each row with a positive sum)."""
    cdf = np.cumsum(weights, axis=1)
    target = u * cdf[:, -1]
    out = (cdf <= target[:, None]).sum(axis=1)
    return np.minimum(out, weights.shape[1] - 1)


def _capitalise(text: str) -> str:
    return " ".join(w[:1].upper() + w[1:] for w in text.split(" "))


def _article(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"


def _fill(template: str, values: dict[str, str]) -> str:
    text = template.format(**values)
    return text[:1].upper() + text[1:]


def _allocate(rng: np.random.Generator, n_items: int, minimum: int) -> np.ndarray:
    """Items per sub-category: a minimum each, the rest by uneven random shares."""
    cat_share = 0.75 + 0.5 * rng.random(len(CATEGORIES))
    shares = np.concatenate([
        cat_share[c] * (0.6 + 0.8 * rng.random(n)) / n for c, n in enumerate(_N_SUBCATEGORIES)
    ])
    shares /= shares.sum()
    extra = n_items - minimum * len(shares)
    exact = shares * extra
    counts = np.floor(exact).astype(np.int64)
    remainder = extra - counts.sum()
    order = np.lexsort((np.arange(len(shares)), -(exact - counts)))
    counts[order[:remainder]] += 1
    return counts + minimum


def _texts(rng: np.random.Generator, sub_of_item: np.ndarray, subcats: list[tuple[int, str]],
           ) -> tuple[list[str], list[str]]:
    """Title and description of every item (internal order)."""
    n = len(sub_of_item)
    u = rng.random((n, len(_SLOTS) + 4))
    titles, descriptions = [], []
    for i in range(n):
        c, sub_name = subcats[sub_of_item[i]]
        spec = CATALOGUE[CATEGORIES[c]]
        sub = spec["subcategories"][sub_name]
        row = u[i]
        values: dict[str, str] = {}
        for k, slot in enumerate(_SLOTS):
            options = sub.get(slot) or spec.get(slot) or [""]
            value = options[int(row[k] * len(options))]
            key = "noun" if slot == "nouns" else slot
            values[key] = value
            values[key[:1].upper() + key[1:]] = _capitalise(value)
        plural = values["noun"].endswith("s")
        values["a_adj"] = values["adj"] if plural else f"{_article(values['adj'])} {values['adj']}"
        values["A_adj"] = values["a_adj"][:1].upper() + values["a_adj"][1:]
        values["This"], values["is"] = ("These", "are") if plural else ("This", "is")
        brand = values["brand"]
        values["Brands"] = brand + ("'" if brand.endswith("s") else "'s")
        title_options = spec.get("titles", _DEFAULT_TITLES)
        desc_options = spec["descriptions"]
        k = len(_SLOTS)
        title = _fill(title_options[int(row[k] * len(title_options))], values)
        first = _fill(desc_options[int(row[k + 1] * len(desc_options))], values)
        # the second sentence: a selling point of the sub-category (60%), of the
        # category (25%) or one any shop writes (15%)
        pick = row[k + 2]
        pool = (sub["feature"] if pick < 0.6 else spec["feature"] if pick < 0.85
                else GENERIC_SENTENCES)
        second = pool[int(row[k + 3] * len(pool))]
        titles.append(title)
        descriptions.append(f"{first} {second}")
    return titles, descriptions


def generate(config: ShopConfig = ShopConfig()) -> Shop:
    """Draw a shop from ``config``; the same config always gives the same shop."""
    rng = np.random.default_rng(config.seed)
    n_cat = len(CATEGORIES)
    subcats = [(c, s) for c, name in enumerate(CATEGORIES)
               for s in CATALOGUE[name]["subcategories"]]
    n_sub = len(subcats)
    sub_category = np.array([c for c, _ in subcats], dtype=np.int64)
    sub_first = np.concatenate([[0], np.cumsum(_N_SUBCATEGORIES)[:-1]])  # first sub of each category
    n_sub_of_cat = np.array(_N_SUBCATEGORIES, dtype=np.int64)

    # ---- items, internally sorted by sub-category -------------------------------------
    counts = _allocate(rng, config.n_items, config.n_related + 2)
    sub_start = np.concatenate([[0], np.cumsum(counts)[:-1]])
    sub_of_item = np.repeat(np.arange(n_sub), counts)
    n_items = config.n_items
    # Zipf popularity: a random rank per item within its sub-category.
    rank = np.empty(n_items, dtype=np.int64)
    keys = rng.random(n_items)
    for s in range(n_sub):
        block = slice(sub_start[s], sub_start[s] + counts[s])
        rank[block] = np.argsort(np.argsort(keys[block], kind="stable"), kind="stable")
    popularity = (rank + 1.0) ** -config.zipf_exponent
    # Cumulative popularity offset by the sub-category index: an item of sub-category s is
    # drawn as searchsorted(item_cdf, s + u).
    item_cdf = np.empty(n_items)
    for s in range(n_sub):
        block = slice(sub_start[s], sub_start[s] + counts[s])
        p = np.cumsum(popularity[block])
        item_cdf[block] = s + p / p[-1]
        item_cdf[sub_start[s] + counts[s] - 1] = s + 1.0
    sub_popularity = 0.5 + rng.random(n_sub)
    sub_weight_in_cat = np.zeros((n_cat, n_sub_of_cat.max()))
    for c in range(n_cat):
        w = sub_popularity[sub_first[c]:sub_first[c] + n_sub_of_cat[c]]
        sub_weight_in_cat[c, :len(w)] = w
    quality = (rng.random(n_items) - 0.5) * 0.8

    def draw_item(sub: np.ndarray, u: np.ndarray) -> np.ndarray:
        out = np.searchsorted(item_cdf, sub + u, side="right")
        return np.minimum(out, sub_start[sub] + counts[sub] - 1)

    # Related items: drawn from the same sub-category by popularity, never the item itself.
    rel_sub = np.repeat(sub_of_item, config.n_related)
    related = draw_item(rel_sub, rng.random(len(rel_sub))).reshape(n_items, config.n_related)
    own = np.arange(n_items)[:, None]
    clash = related == own
    nxt = own + 1
    wrap = nxt >= (sub_start + counts)[sub_of_item][:, None]
    nxt = np.where(wrap, sub_start[sub_of_item][:, None], nxt)
    related = np.where(clash, np.broadcast_to(nxt, related.shape), related)

    titles, descriptions = _texts(rng, sub_of_item, subcats)

    # ---- users' long-term taste -------------------------------------------------------
    n_users = config.n_users
    cat_popularity = 0.5 + rng.random(n_cat)
    lo, hi = config.favourites
    n_fav = lo + _pick(rng.random(n_users), hi - lo + 1)
    # Weighted sampling without replacement: the smallest exponential keys / weights.
    order = np.argsort(_exponential(rng.random((n_users, n_cat))) / cat_popularity, axis=1)
    chosen = np.arange(n_cat)[None, :] < n_fav[:, None]
    favourite = np.zeros((n_users, n_cat), dtype=bool)
    np.put_along_axis(favourite, order, chosen, axis=1)
    raw = 0.3 + _exponential(rng.random((n_users, n_cat)))
    taste = np.where(favourite, raw, 0.0)
    taste /= taste.sum(axis=1, keepdims=True)

    # ---- sessions ---------------------------------------------------------------------
    lo, hi = config.sessions_per_user
    n_sessions = lo + _pick(rng.random(n_users), hi - lo + 1)
    session_user = np.repeat(np.arange(n_users), n_sessions)
    n_total_sessions = len(session_user)
    drift = rng.random(n_total_sessions) < config.drift_probability
    u_cat = rng.random(n_total_sessions)
    session_category = np.empty(n_total_sessions, dtype=np.int64)
    stay = ~drift
    session_category[stay] = _sample_rows(taste[session_user[stay]], u_cat[stay])
    away = np.where(favourite[session_user[drift]], 0.0, cat_popularity[None, :])
    session_category[drift] = _sample_rows(away, u_cat[drift])

    lo, hi = config.session_length
    lengths = np.arange(lo, hi + 1)
    length_weights = config.session_decay ** (lengths - lo)
    length_cdf = np.cumsum(length_weights) / length_weights.sum()
    session_length = lengths[np.minimum(
        np.searchsorted(length_cdf, rng.random(n_total_sessions), side="right"), len(lengths) - 1)]

    n_rows = int(session_length.sum())
    row_session = np.repeat(np.arange(n_total_sessions), session_length)
    session_start_row = np.concatenate([[0], np.cumsum(session_length)[:-1]])
    position = np.arange(n_rows) - session_start_row[row_session]

    # ---- items of every session, one position at a time for all sessions ---------------
    item = np.empty(n_rows, dtype=np.int64)
    u_item = rng.random((n_rows, 3))
    for j in range(int(session_length.max())):
        rows = np.flatnonzero(position == j) if j else session_start_row
        cat = session_category[row_session[rows]]
        u = u_item[rows]
        if j == 0:
            sub_local = _sample_rows(sub_weight_in_cat[cat], u[:, 0])
            item[rows] = draw_item(sub_first[cat] + sub_local, u[:, 1])
            continue
        prev = item[rows - 1]
        prev_sub = sub_of_item[prev]
        step = u[:, 0]
        choice_related = step < config.p_related
        choice_same = ~choice_related & (step < config.p_related + config.p_same_subcategory)
        # u[:, 0] picks the branch, u[:, 1] the item, u[:, 2] the other sub-category
        out = np.empty(len(rows), dtype=np.int64)
        out[choice_related] = related[prev[choice_related],
                                      _pick(u[choice_related, 1], config.n_related)]
        out[choice_same] = draw_item(prev_sub[choice_same], u[choice_same, 1])
        other = ~choice_related & ~choice_same
        if other.any():
            # another sub-category of the same category (the same one if it has only one)
            local = prev_sub[other] - sub_first[cat[other]]
            k = n_sub_of_cat[cat[other]]
            shift = np.where(k > 1, 1 + _pick(u[other, 2], np.maximum(k - 1, 1)), 0)
            new_sub = sub_first[cat[other]] + (local + shift) % k
            out[other] = draw_item(new_sub, u[other, 1])
        item[rows] = out

    # ---- ratings and timestamps (drawn for every row, before duplicates go) ------------
    row_user = session_user[row_session]
    row_drift = drift[row_session]
    u_rating = rng.random((n_rows, 3))
    weight = taste[row_user, session_category[row_session]]
    mean = np.where(row_drift, 3.0, 3.6 + 1.0 * weight) + quality[item]
    rating = np.clip(np.rint(mean + (u_rating.sum(axis=1) - 1.5)), 1, 5).astype(np.int64)

    # Sessions of a user: the first within the first 45 days, the others after gaps of at
    # least six hours that add up to 50-100% of span_days (exponential spacings).
    user_first_session = np.concatenate([[0], np.cumsum(n_sessions)[:-1]])
    spacing = _exponential(rng.random(n_total_sessions))
    spacing[user_first_session] = 0.0
    spacing_sum = np.bincount(session_user, weights=spacing, minlength=n_users)
    min_gap = 6 * 3600
    user_span = config.span_days * DAY * (0.5 + 0.5 * rng.random(n_users))
    free = np.maximum(user_span - (n_sessions - 1) * min_gap, 0.0)
    share = spacing / np.maximum(spacing_sum, 1e-12)[session_user]
    gap = (min_gap + share * free[session_user]).astype(np.int64)
    gap[user_first_session] = (rng.random(n_users) * 45 * DAY).astype(np.int64)
    session_time = np.cumsum(gap)
    session_time -= np.repeat(session_time[user_first_session] - gap[user_first_session],
                              n_sessions)
    u_step = rng.random((n_rows, 2))
    step = (10 + _exponential(u_step[:, 0]) * 120).astype(np.int64)
    step[u_step[:, 1] < config.same_second_probability] = 0
    step[session_start_row] = 0
    offset = np.cumsum(step)
    offset -= np.repeat(offset[session_start_row], session_length)
    timestamp = config.start_time + session_time[row_session] + offset

    # ---- no user meets the same item twice: keep the first meeting ---------------------
    _, first = np.unique(row_user * n_items + item, return_index=True)
    keep = np.zeros(n_rows, dtype=bool)
    keep[first] = True
    row_user, item, rating, timestamp = row_user[keep], item[keep], rating[keep], timestamp[keep]
    session_ids, row_session = np.unique(row_session[keep], return_inverse=True)
    row_drift = drift[session_ids][row_session]

    # ---- public item ids: a random permutation, so that ids say nothing -----------------
    perm = np.argsort(rng.random(n_items), kind="stable")  # perm[internal] = public row
    inverse = np.empty(n_items, dtype=np.int64)
    inverse[perm] = np.arange(n_items)  # inverse[public row] = internal
    item_public = perm[item]

    # ---- chronological order, as a shop exports its log -------------------------------
    order = np.lexsort((np.arange(len(item)), row_user, timestamp))
    user_ids = _ids("u", n_users)
    item_ids = _ids("i", n_items)
    interactions = pd.DataFrame({
        "user_id": user_ids[row_user[order]],
        "item_id": item_ids[item_public[order]],
        "rating": rating[order],
        "timestamp": timestamp[order].astype(np.int64),
        "session": row_session[order].astype(np.int64),
        "drift": row_drift[order],
    })
    sub_names = [f"{CATEGORIES[c]}/{s}" for c, s in subcats]
    items = pd.DataFrame({
        "item_id": item_ids,
        "title": np.array(titles, dtype=object)[inverse],
        "description": np.array(descriptions, dtype=object)[inverse],
        "category": np.array(CATEGORIES, dtype=object)[sub_category[sub_of_item[inverse]]],
        "subcategory": np.array([s for _, s in subcats], dtype=object)[sub_of_item[inverse]],
    })
    return Shop(
        interactions=interactions,
        items=items,
        taste=taste,
        categories=list(CATEGORIES),
        subcategories=sub_names,
        subcategory_category=sub_category,
        item_category=sub_category[sub_of_item[inverse]],
        item_subcategory=sub_of_item[inverse],
        related=perm[related[inverse]],
        user_index=row_user[order],
        item_index=item_public[order],
        config=config,
    )


# --------------------------------------------------------------------------------------
# Files
# --------------------------------------------------------------------------------------


def write_csv(shop: Shop, folder: Path | str) -> tuple[Path, Path]:
    """Write ``interactions.csv`` and ``items.csv`` as a user would import them.

    Only the importable columns are written (no session, drift or sub-category); UTF-8,
    ``\\n`` line ends, so the bytes are the same on every platform.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    interactions_path = folder / INTERACTIONS_FILE
    items_path = folder / ITEMS_FILE
    shop.interactions[INTERACTION_COLUMNS].to_csv(
        interactions_path, index=False, encoding="utf-8", lineterminator="\n")
    shop.items[ITEM_COLUMNS].to_csv(
        items_path, index=False, encoding="utf-8", lineterminator="\n")
    return interactions_path, items_path
