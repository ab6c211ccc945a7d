import type { Browser, BrowserContext, Page } from 'playwright-core';

/** Answers the demo's `POST /collect` in the browser, so seeded events stay out of the collected log. */
export function stubCollector(context: BrowserContext): Promise<void>;

/** Writes `count` seeded events through the SDK of an open page; resolves with how many it then holds. */
export function seedHistory(
  page: Page,
  options: { count: number; items: { id: string; category?: string }[]; days?: number },
): Promise<number>;

/** Init script: notes the first frame with a filled likewise widget in `window.__lwFirstWidget`. */
export function firstWidgetProbe(): void;

/** Waits (without polling the page) for what {@link firstWidgetProbe} notes; call before the navigation. */
export function waitForFirstWidget(page: Page, timeout?: number): Promise<FirstWidget>;

/** What {@link firstWidgetProbe} leaves on `window`. */
export interface FirstWidget {
  widget: string;
  at: number;
  ids: string[];
}

/** Ms of a fixed JavaScript task in a fresh page of `browser` (what the machine's load makes of known work). */
export function calibrate(browser: Browser): Promise<number>;
