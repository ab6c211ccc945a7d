import type { CatalogItem } from '../../src/types';

/** A small generated catalogue for the profile, segment and rerank tests. */
export const CATALOG: CatalogItem[] = [
  {
    id: 'd1',
    title: 'The Long Night',
    url: '/d1',
    category: 'Books > Drama',
    brand: 'Penguin',
    price: 10,
  },
  {
    id: 'd2',
    title: 'Stage Lights',
    url: '/d2',
    category: 'Books > Drama',
    brand: 'Penguin',
    price: 12,
  },
  {
    id: 'd3',
    title: 'Curtain Call',
    url: '/d3',
    category: 'Books > Drama',
    brand: 'Vintage',
    price: 14,
  },
  {
    id: 's1',
    title: 'Star Drive',
    url: '/s1',
    category: 'Books > Sci-Fi',
    brand: 'Tor',
    price: 20,
  },
  {
    id: 'k1',
    title: 'Tefal frying pan',
    url: '/k1',
    category: 'Kitchen',
    brand: 'Tefal',
    price: 80,
  },
  { id: 'k2', title: 'Non-stick wok', url: '/k2', category: 'Kitchen', brand: 'Tefal', price: 120 },
];
