/**
 * Types shared by every layer (track, store, engine, widgets, metrics).
 * Keep this file free of code: it is the contract between the layers.
 */

/** Event types a shop (or the SDK itself) can record. */
export type EventType =
  | 'view'
  | 'click'
  | 'add_to_cart'
  | 'remove_from_cart'
  | 'purchase'
  | 'search'
  /** A recommended item was at least half visible for 1 s (recorded by widgets). */
  | 'impression'
  /** The shopper said "not interested" in an item: a negative signal. */
  | 'dismiss';

/** One line of a purchase (or a cart change with several items). */
export interface LineItem {
  itemId: string;
  /** Units, a positive integer. Default 1. */
  quantity?: number;
  /** Unit price, a finite number >= 0. */
  price?: number;
}

/** What the host page passes to `lw.track()`. */
export interface TrackInput {
  type: EventType;
  /** The item, for every type but `search` and a multi-item `purchase`. At most 256 characters. */
  itemId?: string;
  /** Several items at once (`purchase`). */
  items?: LineItem[];
  /** Units for a single-item event. */
  quantity?: number;
  /** Unit price for a single-item event; must be finite. */
  price?: number;
  /** ISO 4217 currency code, e.g. `EUR`. */
  currency?: string;
  /** Search query text (`search`), at most 256 characters. */
  query?: string;
  /** Recommendation id of the widget list this event came from (click, impression). */
  rec?: string;
  /** 0-based position of the item in that list. */
  pos?: number;
  /** Milliseconds since the epoch; default now. Only for replaying queued calls. */
  ts?: number;
  /**
   * The scenario the widget slot was configured with (`impression`, `click`
   * recorded by widgets), even when a holdout visitor was shown the control
   * instead, so that treatment and holdout compare the same slot.
   */
  scenario?: Scenario;
  /**
   * The widget slot's name (`data-likewise-widget`, else its scenario), on
   * `impression` and `click`, so a report can tell two widgets of the same
   * scenario apart. At most 64 characters.
   */
  widget?: string;
}

/**
 * An event as stored and as sent to a collector. Only these documented
 * fields are ever stored: no personal data, no device fingerprint.
 */
export interface LikewiseEvent extends TrackInput {
  /** Unique event id (random), so delivery to a collector is idempotent. */
  id: string;
  /** Milliseconds since the epoch. */
  ts: number;
  /** Session id: a new one after `sessionTimeout` ms without events. */
  session: string;
  /** Experiment group at the time of the event (measurement). */
  group?: 'treatment' | 'holdout';
  /**
   * The random anonymous visitor id (never a customer id, never derived from
   * the device), so a collector can count visitors and attribute conversions
   * across sessions. Set when measurement runs (`experiment` or `endpoint`),
   * on stored events and on those sent to a collector after consent.
   * At most 64 characters.
   */
  visitor?: string;
}

/** A catalogue entry. Everything but `id`, `title` and `url` is optional. */
export interface CatalogItem {
  id: string;
  title: string;
  url: string;
  image?: string;
  price?: number;
  currency?: string;
  category?: string;
  brand?: string;
  /** Default true. */
  inStock?: boolean;
}

/** The recommendation scenarios. */
export type Scenario = 'similar' | 'bought-together' | 'for-you' | 'recently-viewed' | 'trending';

/** Why an item was recommended. */
export interface Reason {
  /** `similar`: like the anchor item; `history`: because of an item in the visitor's history. */
  kind: 'similar' | 'together' | 'history' | 'recent' | 'trending';
  /** The item that contributed most, when there is one ("because you viewed X"). */
  itemId?: string;
  /** The type of the history event that contributed most, when known. */
  via?: EventType;
}

/** Per-item aggregate kept when raw events are compacted away. */
export interface ItemAggregate {
  itemId: string;
  /** Counts by event type. */
  counts: Partial<Record<EventType, number>>;
  /** Last time (ms) the item had an event. */
  lastTs: number;
}

/** One recommended item, as `lw.recommend()` resolves and widgets render. */
export interface Recommendation {
  id: string;
  /** Higher is better; comparable only within one list. */
  score: number;
  reason: Reason;
  /** The catalogue entry (always present: unknown items are never recommended). */
  item: CatalogItem;
}
