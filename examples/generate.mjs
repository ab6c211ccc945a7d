#!/usr/bin/env node
// Builds the demo bookshop's data from a seed: a catalogue of books with SVG
// covers and a visitor log with real taste structure (favourite genres and
// authors, series read in order, volumes bought together), then trains the
// model with `likewise train` when the CLI is built. Everything is generated:
// no evaluation data set is copied, and the same seed gives the same files.
//
//   node examples/generate.mjs [--seed 42] [--books 300] [--visitors 3000]
//                              [--events FILE] [--catalog FILE] [--no-train]
//
// `--events` / `--catalog` let a shop try the demo with its own files: the
// catalogue is copied as is, the model is trained from its events.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(HERE, '..');
/** Last second of the generated log (2025-12-01T00:00:00Z): fixed so output is reproducible. */
const END = 1764547200;
const DAY = 86400;

/** Small, fast, seedable PRNG (mulberry32): the same seed gives the same shop. */
function createRandom(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo, hi) => lo + Math.floor(next() * (hi - lo + 1));
  const pick = (list) => list[Math.floor(next() * list.length)];
  const chance = (p) => next() < p;
  /** Index drawn in proportion to `weights`. */
  const weighted = (weights, total = weights.reduce((s, w) => s + w, 0)) => {
    let r = next() * total;
    for (let i = 0; i < weights.length; i++) {
      r -= weights[i];
      if (r < 0) return i;
    }
    return weights.length - 1;
  };
  return { next, int, pick, chance, weighted };
}

// One line a genre: name | cover hue | share of the catalogue | price range |
// series or single books | title adjectives | title nouns.
const GENRES = [
  'Fantasy | 268 | 14 | 9-22 | series | Silver, Hollow, Ember, Wandering, Forgotten, Iron, Crimson, Last, Sunken | Crown, Throne, Dragon, Forest, Sword, Tower, Oath, Witch, Gate, Kingdom',
  'Science Fiction | 205 | 11 | 9-21 | series | Quantum, Distant, Red, Silent, Orbital, Final, Dark, Hidden, Broken | Star, Signal, Colony, Horizon, Machine, Drift, Protocol, Planet, Station',
  'Mystery | 18 | 12 | 8-19 | series | Quiet, Missing, Fourth, Locked, Blue, Midnight, Painted, Seventh | Room, Letter, Garden, Key, Witness, House, Harbour, Alibi, Vicarage',
  'Thriller | 355 | 10 | 8-19 | series | Cold, Burning, Broken, Deadly, Silent, Zero, Black, Final | Hour, Target, Code, Line, Order, Run, Trap, Protocol, Verdict',
  'Romance | 335 | 9 | 7-16 | single | Summer, Sweet, Second, Secret, Lavender, Parisian, Lemon, Seaside | Kiss, Promise, Season, Heart, Affair, Chance, Letters, Wedding',
  "Historical Fiction | 36 | 8 | 10-22 | single | Winter, Lost, Golden, Copper, Salt, Emperor's, Weaver’s, Northern | Queen, Road, Harvest, Voyage, Empire, Daughter, Bridge, Tapestry",
  'Literary Fiction | 165 | 9 | 10-24 | single | Small, Ordinary, Long, Distant, Unfinished, Quiet, Borrowed, Blue | Rooms, Lives, River, Light, Afternoon, Sea, Orchard, Summers',
  'Biography | 222 | 5 | 14-29 | single | Restless, Unlikely, Brilliant, Reluctant, Fearless, Quiet | Life, Years, Voyager, Genius, Rebel, Pioneer, Witness',
  'Popular Science | 188 | 7 | 13-28 | single | Hidden, Curious, Invisible, Restless, Elegant, Secret, Living | Universe, Brain, Cell, Code, Atom, Ocean, Climate, Forest, Planet',
  'Cookery | 88 | 6 | 18-35 | single | Simple, Slow, Green, Mediterranean, Everyday, Spiced, Sunday, Rustic | Kitchen, Suppers, Bread, Feasts, Vegetables, Baking, Soups, Pasta',
  'Travel | 140 | 4 | 12-26 | single | Walking, Sailing, Crossing, Cycling, Following, Riding | Alps, Baltic, Andes, Silk Road, Danube, Highlands, Sahara, Fjords',
  "Children's | 48 | 5 | 6-14 | series | Little, Brave, Sleepy, Curious, Tiny, Grumpy, Busy, Lucky | Fox, Bear, Owl, Dragon, Mouse, Rabbit, Whale, Hedgehog",
].map((line) => {
  const [name, hue, share, price, kind, adj, noun] = line.split(' | ');
  return {
    name,
    hue: Number(hue),
    share: Number(share),
    price: price.split('-').map(Number),
    series: kind === 'series',
    adj: adj.split(', '),
    noun: noun.split(', '),
  };
});

const FIRST = [
  'Ada',
  'Bruno',
  'Clara',
  'Dmitri',
  'Elena',
  'Felix',
  'Greta',
  'Hugo',
  'Ines',
  'Jonas',
  'Katja',
  'Luca',
  'Maren',
  'Nils',
  'Olga',
  'Pablo',
  'Quinn',
  'Rosa',
  'Stefan',
  'Tove',
  'Ugo',
  'Vera',
  'Willem',
  'Yara',
  'Zofia',
  'Amara',
  'Bastien',
  'Céline',
  'Darius',
  'Eira',
  'Farah',
  'Gideon',
];
const LAST = [
  'Albrecht',
  'Bergström',
  'Castellano',
  'Dufresne',
  'Eriksen',
  'Fontaine',
  'Gallagher',
  'Halloran',
  'Ibsen',
  'Jansen',
  'Kowalski',
  'Lindqvist',
  'Moreau',
  'Novak',
  'Oyelaran',
  'Petrov',
  'Quintero',
  'Rasmussen',
  'Sandoval',
  'Thorne',
  'Umarov',
  'Valente',
  'Whitlock',
  'Yilmaz',
  'Zanetti',
  'Achebe',
  'Brennan',
  'Costa',
  'Delacroix',
  'Esposito',
  'Fairweather',
  'Greenwood',
];
const SERIES_WORDS = ['Chronicles', 'Cycle', 'Saga', 'Files', 'Trilogy', 'Quartet', 'Mysteries'];
const PLACES = ['Lisbon', 'Kyoto', 'Tallinn', 'Oaxaca', 'Naples', 'Marrakesh', 'Bergen', 'Ghent'];

/** Title for a stand-alone book of the genre; `extra` varies the template. */
function makeTitle(rand, genre) {
  const a = rand.pick(genre.adj);
  const n = rand.pick(genre.noun);
  switch (genre.name) {
    case 'Biography':
      return rand.chance(0.5) ? `The ${a} ${n}` : `A ${n} in ${rand.pick(PLACES)}`;
    case 'Cookery':
      return rand.chance(0.5) ? `${a} ${n}` : `${n} from ${rand.pick(PLACES)}`;
    case 'Travel':
      return `${a} the ${n}`;
    case 'Popular Science':
      return rand.chance(0.6) ? `The ${a} ${n}` : `How the ${n} Works`;
    case 'Literary Fiction':
      return rand.chance(0.5) ? `${a} ${n}` : `The ${n} of ${rand.pick(PLACES)}`;
    default:
      return rand.pick([`The ${a} ${n}`, `${a} ${n}`, `The ${n} of ${rand.pick(PLACES)}`]);
  }
}

/** Price like a bookshop's: x.99 or x.50 within the genre's range. */
function makePrice(rand, [lo, hi]) {
  const whole = rand.int(lo, hi);
  return rand.chance(0.8) ? whole + 0.99 : whole + 0.5;
}

const escapeXml = (s) =>
  String(s).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c],
  );

/** Splits a title into lines of at most `width` characters (words kept whole). */
function wrap(text, width) {
  const lines = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && (line + ' ' + word).length > width) {
      lines.push(line);
      line = word;
    } else line = line ? line + ' ' + word : word;
  }
  if (line) lines.push(line);
  return lines;
}

/** A deterministic book cover: genre colour, one of a few motifs, title and author. */
function makeCover(rand, book, genre) {
  const hue = (genre.hue + rand.int(-14, 14) + 360) % 360;
  const light = rand.int(24, 46);
  const bg = `hsl(${hue} ${rand.int(38, 62)}% ${light}%)`;
  const accent = `hsl(${(hue + rand.pick([30, 180, 200, -40]) + 360) % 360} 70% 68%)`;
  const ink = '#fdf8ef';
  const motif = rand.int(0, 4);
  const shapes = [];
  if (motif === 0) {
    for (let i = 0; i < 5; i++)
      shapes.push(
        `<circle cx="${rand.int(20, 180)}" cy="${rand.int(150, 250)}" r="${rand.int(10, 46)}" fill="${accent}" opacity="${(0.25 + rand.next() * 0.4).toFixed(2)}"/>`,
      );
  } else if (motif === 1) {
    for (let y = 150; y < 260; y += 14)
      shapes.push(`<rect x="0" y="${y}" width="200" height="6" fill="${accent}" opacity="0.45"/>`);
  } else if (motif === 2) {
    shapes.push(
      `<path d="M0 250 Q50 ${rand.int(150, 200)} 100 230 T200 ${rand.int(170, 220)} V300 H0Z" fill="${accent}" opacity="0.55"/>`,
      `<circle cx="${rand.int(120, 170)}" cy="${rand.int(150, 175)}" r="18" fill="${ink}" opacity="0.8"/>`,
    );
  } else if (motif === 3) {
    shapes.push(
      `<path d="M100 140 L150 200 L100 260 L50 200Z" fill="none" stroke="${accent}" stroke-width="4"/>`,
      `<path d="M100 160 L133 200 L100 240 L67 200Z" fill="${accent}" opacity="0.5"/>`,
    );
  } else {
    for (let i = 0; i < 4; i++)
      shapes.push(
        `<rect x="${rand.int(10, 130)}" y="${rand.int(140, 220)}" width="${rand.int(30, 60)}" height="${rand.int(20, 50)}" fill="${accent}" opacity="${(0.3 + rand.next() * 0.4).toFixed(2)}" transform="rotate(${rand.int(-20, 20)} 100 200)"/>`,
      );
  }
  const lines = wrap(book.title.replace(/ \(.*\)$/, ''), 13).slice(0, 4);
  const size = lines.some((l) => l.length > 11) ? 19 : 22;
  const titleText = lines
    .map(
      (l, i) =>
        `<text x="100" y="${46 + i * (size + 5)}" font-size="${size}" font-weight="700">${escapeXml(l)}</text>`,
    )
    .join('');
  const seriesBadge = book.seriesName
    ? `<text x="100" y="${58 + lines.length * (size + 5)}" font-size="10" letter-spacing="1" opacity="0.85">${escapeXml(`${book.seriesName.toUpperCase()} · ${book.volume}`)}</text>`
    : '';
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 300" width="200" height="300">
<rect width="200" height="300" fill="${bg}"/>
${shapes.join('\n')}
<rect x="0" y="0" width="9" height="300" fill="#000" opacity="0.18"/>
<rect x="14" y="14" width="172" height="272" fill="none" stroke="${ink}" stroke-opacity="0.35"/>
<g fill="${ink}" text-anchor="middle" font-family="Georgia, 'DejaVu Serif', serif">${titleText}${seriesBadge}
<text x="100" y="278" font-size="11" letter-spacing="2">${escapeXml(book.brand.toUpperCase())}</text></g>
</svg>
`;
}

/** Generates the catalogue (books, with covers) from the seed. */
function makeCatalog(rand, count) {
  const authors = [];
  const usedNames = new Set();
  const genreShares = GENRES.map((g) => g.share);
  while (authors.length < Math.max(12, Math.round(count / 3.4))) {
    const name = `${rand.pick(FIRST)} ${rand.pick(LAST)}`;
    if (usedNames.has(name)) continue;
    usedNames.add(name);
    // Two authors per genre first, so every genre has books; the rest by share.
    const genre =
      authors.length < GENRES.length * 2
        ? GENRES[authors.length % GENRES.length]
        : GENRES[rand.weighted(genreShares)];
    authors.push({ name, genre });
  }
  const books = [];
  const titles = new Set();
  const uniqueTitle = (genre) => {
    for (let i = 0; i < 50; i++) {
      const t = makeTitle(rand, genre);
      if (!titles.has(t)) {
        titles.add(t);
        return t;
      }
    }
    const t = `${makeTitle(rand, genre)} ${titles.size}`;
    titles.add(t);
    return t;
  };
  // One shop, one currency. The draw stays so the rest of the data (and the
  // tests that name its books) does not change.
  const currency = () => {
    rand.next();
    return 'EUR';
  };
  const add = (fields) => {
    const id = `bk-${String(books.length + 1).padStart(4, '0')}`;
    books.push({
      id,
      title: fields.title,
      url: `/product.html?id=${id}`,
      image: `/covers/${id}.svg`,
      price: makePrice(rand, fields.genre.price),
      currency: currency(),
      category: fields.genre.name,
      brand: fields.author.name,
      inStock: rand.chance(0.92),
      // Generator-only fields, stripped before writing.
      genre: fields.genre,
      seriesName: fields.seriesName,
      volume: fields.volume,
      seriesId: fields.seriesId,
    });
  };
  let seriesCount = 0;
  while (books.length < count) {
    const author = rand.pick(authors);
    // Most authors write in their own genre; a few cross over.
    const genre = rand.chance(0.85) ? author.genre : GENRES[rand.weighted(genreShares)];
    if (genre.series && rand.chance(0.22) && books.length + 2 <= count) {
      const volumes = Math.min(rand.int(2, 5), count - books.length);
      const word = rand.pick(SERIES_WORDS);
      const seriesName = `${rand.pick(genre.adj)} ${word}`;
      seriesCount++;
      for (let v = 1; v <= volumes; v++)
        add({
          title: `${uniqueTitle(genre)} (${seriesName}, #${v})`,
          genre,
          author,
          seriesName,
          volume: v,
          seriesId: seriesCount,
        });
    } else add({ title: uniqueTitle(genre), genre, author });
  }
  return books;
}

/**
 * Generates the visitor log: each visitor prefers one or two genres and a few
 * authors, comes back in several sessions, reads series in order, and buys
 * volumes of a series together.
 */
function makeEvents(rand, books, visitorCount) {
  // Popularity: a long tail, assigned at random so ids carry no signal.
  const pop = books.map(() => 1 / (1 + rand.next() * 40) ** 0.9);
  const byGenre = new Map(GENRES.map((g) => [g.name, []]));
  const byAuthor = new Map();
  for (const [i, b] of books.entries()) {
    byGenre.get(b.category).push(i);
    if (!byAuthor.has(b.brand)) byAuthor.set(b.brand, []);
    byAuthor.get(b.brand).push(i);
  }
  const nextVolume = new Map();
  for (const [i, b] of books.entries()) {
    if (!b.seriesId) continue;
    const j = books.findIndex((o) => o.seriesId === b.seriesId && o.volume === b.volume + 1);
    if (j >= 0) nextVolume.set(i, j);
  }
  // A handful of books are "hot" in the last week, so trending has a story.
  const hot = new Set(Array.from({ length: 8 }, () => rand.int(0, books.length - 1)));
  const genreShares = GENRES.map((g) => g.share);
  const rows = [];
  for (let v = 1; v <= visitorCount; v++) {
    const user = `u${String(v).padStart(5, '0')}`;
    const genres = [GENRES[rand.weighted(genreShares)].name];
    if (rand.chance(0.4)) genres.push(GENRES[rand.weighted(genreShares)].name);
    const favAuthors = new Set();
    for (let k = rand.int(1, 3); k > 0; k--) {
      const pool = byGenre.get(rand.pick(genres));
      if (pool.length) favAuthors.add(books[rand.pick(pool)].brand);
    }
    const candidates = [...new Set(genres.flatMap((g) => byGenre.get(g)))];
    const weights = candidates.map((i) => pop[i] * (favAuthors.has(books[i].brand) ? 4 : 1));
    const total = weights.reduce((s, w) => s + w, 0);
    const globalTotal = pop.reduce((s, w) => s + w, 0);
    const sessions = Math.min(8, 1 + Math.floor(-Math.log(1 - rand.next()) * 1.6));
    const seen = new Set();
    for (let s = 0; s < sessions; s++) {
      let t = END - Math.floor(rand.next() * 90 * DAY) - rand.int(60, 3600);
      const recent = t > END - 7 * DAY;
      const cart = [];
      let prev = -1;
      const views = rand.int(2, 10);
      for (let n = 0; n < views; n++) {
        let item;
        const r = rand.next();
        if (prev >= 0 && nextVolume.has(prev) && rand.chance(0.45)) item = nextVolume.get(prev);
        else if (recent && rand.chance(0.25)) item = rand.pick([...hot]);
        else if (r < 0.75 && candidates.length) item = candidates[rand.weighted(weights, total)];
        else if (r < 0.85 && favAuthors.size)
          item = rand.pick(byAuthor.get(rand.pick([...favAuthors])));
        else item = rand.weighted(pop, globalTotal);
        const id = books[item].id;
        if (rand.chance(0.6)) rows.push([user, id, t, 'click']);
        t += rand.int(1, 4);
        rows.push([user, id, t, 'view']);
        t += rand.int(20, 240);
        const loved = favAuthors.has(books[item].brand) || books[item].volume > 1;
        if (books[item].inStock && !cart.includes(item) && rand.chance(loved ? 0.3 : 0.1)) {
          rows.push([user, id, t, 'add_to_cart']);
          cart.push(item);
          t += rand.int(5, 60);
          // Series volumes go in the basket together.
          const nv = nextVolume.get(item);
          if (nv !== undefined && books[nv].inStock && rand.chance(0.45)) {
            rows.push([user, books[nv].id, t, 'view']);
            t += rand.int(10, 60);
            rows.push([user, books[nv].id, t, 'add_to_cart']);
            cart.push(nv);
            t += rand.int(5, 60);
          }
        }
        seen.add(item);
        prev = item;
      }
      if (cart.length && rand.chance(0.5)) {
        t += rand.int(30, 300);
        for (const item of cart) rows.push([user, books[item].id, t, 'purchase']);
      }
    }
  }
  rows.sort((a, b) => a[2] - b[2] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return rows;
}

function parseArgs(argv) {
  const opts = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--seed') opts.seed = Number(value());
    else if (a === '--books') opts.books = Number(value());
    else if (a === '--visitors') opts.visitors = Number(value());
    else if (a === '--events') opts.events = value();
    else if (a === '--catalog') opts.catalog = value();
    else if (a === '--out') opts.out = value();
    else if (a === '--no-train') opts.train = false;
    else throw new Error(`unknown option ${a}`);
  }
  return opts;
}

/**
 * Generates (or copies) the demo shop's data into `out` and trains the model
 * when the CLI is built.
 *
 * @param {object} [options]
 * @param {number} [options.seed=42] Seed of the generator.
 * @param {number} [options.books=300] Number of books.
 * @param {number} [options.visitors=3000] Number of visitors in the log.
 * @param {string} [options.events] A shop's own event log (CSV or NDJSON) to train from.
 * @param {string} [options.catalog] A shop's own catalogue JSON to serve instead.
 * @param {string} [options.out] Output folder; default `examples/generated`.
 * @param {boolean} [options.train=true] Run `likewise train` when it is built.
 * @param {string} [options.repo] The checkout whose CLI trains the model
 *   (default: this one); another build's demo must be trained by its own CLI,
 *   in the model format its SDK reads.
 * @param {(line: string) => void} [options.log=console.log]
 * @returns {{ out: string, items: number, events: number | undefined, model: boolean }}
 */
export function generateShop(options = {}) {
  const {
    seed = 42,
    books: bookCount = 300,
    visitors = 3000,
    out = join(HERE, 'generated'),
    train = true,
    repo = REPO,
    log = console.log,
  } = options;
  mkdirSync(out, { recursive: true });
  const rand = createRandom(seed);
  const books = makeCatalog(rand, bookCount);
  let items = books.length;
  if (options.catalog) {
    const list = JSON.parse(readFileSync(options.catalog, 'utf8'));
    if (!Array.isArray(list)) throw new Error(`${options.catalog}: a catalogue is a JSON array`);
    copyFileSync(options.catalog, join(out, 'catalog.json'));
    items = list.length;
  } else {
    mkdirSync(join(out, 'covers'), { recursive: true });
    for (const book of books)
      writeFileSync(join(out, 'covers', `${book.id}.svg`), makeCover(rand, book, book.genre));
    const clean = books.map(({ genre, seriesName, volume, seriesId, ...item }) => item);
    writeFileSync(join(out, 'catalog.json'), `${JSON.stringify(clean, null, 1)}\n`);
  }
  const eventsFile = join(
    out,
    options.events?.endsWith('.ndjson') ? 'events.ndjson' : 'events.csv',
  );
  let eventCount;
  if (options.events) copyFileSync(options.events, eventsFile);
  else {
    const rows = makeEvents(rand, books, visitors);
    eventCount = rows.length;
    writeFileSync(
      eventsFile,
      `user,item,timestamp,type\n${rows.map((r) => r.join(',')).join('\n')}\n`,
    );
  }
  log(`likewise demo data: ${items} items${eventCount ? `, ${eventCount} events` : ''} in ${out}`);
  let model = false;
  const bin = join(repo, 'bin', 'likewise.mjs');
  if (train && existsSync(bin) && existsSync(join(repo, 'dist', 'cli.mjs'))) {
    const modelDir = join(out, 'model');
    rmSync(modelDir, { recursive: true, force: true });
    const r = spawnSync(
      process.execPath,
      [bin, 'train', '--events', eventsFile, '--out', modelDir],
      {
        stdio: 'inherit',
        cwd: repo,
      },
    );
    model = r.status === 0;
    if (!model)
      log('likewise demo: WARNING `likewise train` failed; widgets will use popularity only');
  } else if (train) {
    log(
      'likewise demo: WARNING bin/likewise.mjs or dist/cli.mjs missing (run `npm run build`); ' +
        'no model trained, widgets will use popularity only',
    );
  }
  return { out, items, events: eventCount, model };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    generateShop(parseArgs(process.argv.slice(2)));
  } catch (e) {
    console.error(`generate: ${e instanceof Error ? e.message : e}`);
    process.exit(2);
  }
}
