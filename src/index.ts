export type { LikewiseErrorCode } from './errors';
export { isLikewiseError, LikewiseError } from './errors';
export type {
  CatalogItem,
  EventType,
  ItemAggregate,
  LikewiseEvent,
  LineItem,
  Reason,
  Scenario,
  TrackInput,
} from './types';
