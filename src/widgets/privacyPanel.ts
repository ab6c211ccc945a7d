import { LikewiseError } from '../errors';
import type { PrivacySummary } from '../metrics/describeVisitor';
import { EVENT_TYPES } from '../shared/eventSchema';
import type { EventType } from '../types';
import { onPrivacyLink } from './onPrivacyLink';
import { languageOf, pageTexts } from './pageTexts';
import { adoptStyles } from './styles';

/**
 * Texts of the privacy panel (English defaults shown; built in for de, en, fr, it, es, nl). Event type keys label the
 * activity list (`view`: `Viewed`, ...). `{name}` placeholders are filled as text.
 */
export interface PrivacyTranslations extends Partial<Record<EventType, string>> {
  /** Default `Your data on this device`. */
  title?: string;
  /** Default `Recommendations are computed in this browser from what you do in this shop. Nothing here leaves the device for personalisation.` */
  intro?: string;
  /** Default `Loading…`. */
  loading?: string;
  /** Default `Stored events: {events} (visits: {sessions})`. */
  summary?: string;
  /** Default `Oldest: {date}`. */
  since?: string;
  /** Default `Nothing is stored about you on this device.` */
  nothing?: string;
  /** Default `Interests: {list}`. */
  interests?: string;
  /** Default `Kept in this browser's storage until you clear it.` */
  indexeddb?: string;
  /** Default `Kept in memory only: gone when you close the page.` */
  memory?: string;
  /** Default `Personalisation is on.` */
  granted?: string;
  /** Default `Personalisation waits for your consent.` */
  pending?: string;
  /** Default `Personalisation is off.` */
  denied?: string;
  /** Heading of the activity list. Default `Recent activity`. */
  recent?: string;
  /** Default `Clear my history`. */
  clear?: string;
  /** Default `Your history on this device was erased.` */
  cleared?: string;
  /** Default `Stop personalisation`. */
  optOut?: string;
  /** Default `Personalisation is off and your history on this device was erased.` */
  optedOut?: string;
  /** Default `Close`. */
  close?: string;
  /** Default `Something went wrong. Please try again.` */
  failed?: string;
}

/** What the privacy panel reads and does (injected: the SDK instance, or fakes in tests). */
export interface PrivacyPanelDeps {
  /** What is stored about the shopper. */
  describe: () => Promise<PrivacySummary>;
  /** Erases the shopper's history (the SDK's `forget()`). */
  clear: () => Promise<void>;
  /** Denies consent and erases the history. */
  optOut: () => Promise<void>;
  /**
   * See {@link PrivacyTranslations}. Built in for German, English, French,
   * Italian, Spanish and Dutch (from `locale`); the `privacy` object of the
   * page's `data-likewise-texts` block overrides them, and these override both.
   */
  translations?: PrivacyTranslations;
  /** Locale for dates. Default `<html lang>`, else the browser's. */
  locale?: string;
  /** Gets focus back when the panel closes. Default: the element focused at opening. */
  returnFocus?: HTMLElement | null;
  /** Receives failures of `describe`, `clear` and `optOut` (the panel also says so). Default `console.error`. */
  onError?: (error: unknown) => void;
}

const PRIVACY_KEYS = [
  'title',
  'intro',
  'loading',
  'summary',
  'since',
  'nothing',
  'interests',
  'indexeddb',
  'memory',
  'granted',
  'pending',
  'denied',
  'recent',
  'clear',
  'cleared',
  'optOut',
  'optedOut',
  'close',
  'failed',
  // One label per event type, in the schema's order (the table below follows it).
  ...EVENT_TYPES,
] as const;

// One string per language, `|`-separated in PRIVACY_KEYS order (see widgetTexts).
const PRIVACY_TABLE: Record<string, string> = {
  en: "Your data on this device|Recommendations are computed in this browser from what you do in this shop. Nothing here leaves the device for personalisation.|Loading…|Stored events: {events} (visits: {sessions})|Oldest: {date}|Nothing is stored about you on this device.|Interests: {list}|Kept in this browser's storage until you clear it.|Kept in memory only: gone when you close the page.|Personalisation is on.|Personalisation waits for your consent.|Personalisation is off.|Recent activity|Clear my history|Your history on this device was erased.|Stop personalisation|Personalisation is off and your history on this device was erased.|Close|Something went wrong. Please try again.|Viewed|Clicked|Added to basket|Removed from basket|Bought|Searched|Shown|Not interested",
  de: 'Ihre Daten auf diesem Gerät|Empfehlungen werden in diesem Browser aus dem berechnet, was Sie in diesem Shop tun. Für die Personalisierung verlässt nichts davon das Gerät.|Wird geladen…|Gespeicherte Ereignisse: {events} (Besuche: {sessions})|Ältestes: {date}|Auf diesem Gerät ist nichts über Sie gespeichert.|Interessen: {list}|Im Speicher dieses Browsers, bis Sie ihn löschen.|Nur im Arbeitsspeicher: weg, sobald Sie die Seite schließen.|Personalisierung ist an.|Personalisierung wartet auf Ihre Einwilligung.|Personalisierung ist aus.|Letzte Aktivität|Meinen Verlauf löschen|Ihr Verlauf auf diesem Gerät wurde gelöscht.|Personalisierung beenden|Personalisierung ist aus und Ihr Verlauf auf diesem Gerät wurde gelöscht.|Schließen|Etwas ist schiefgelaufen. Bitte versuchen Sie es erneut.|Angesehen|Angeklickt|In den Warenkorb gelegt|Aus dem Warenkorb entfernt|Gekauft|Gesucht|Angezeigt|Kein Interesse',
  fr: "Vos données sur cet appareil|Les recommandations sont calculées dans ce navigateur à partir de ce que vous faites dans cette boutique. Rien ne quitte l'appareil pour la personnalisation.|Chargement…|Événements enregistrés : {events} (visites : {sessions})|Le plus ancien : {date}|Rien n'est enregistré à votre sujet sur cet appareil.|Centres d'intérêt : {list}|Conservé dans le stockage de ce navigateur jusqu'à ce que vous l'effaciez.|Conservé en mémoire seulement : effacé à la fermeture de la page.|La personnalisation est activée.|La personnalisation attend votre consentement.|La personnalisation est désactivée.|Activité récente|Effacer mon historique|Votre historique sur cet appareil a été effacé.|Arrêter la personnalisation|La personnalisation est désactivée et votre historique sur cet appareil a été effacé.|Fermer|Une erreur s'est produite. Veuillez réessayer.|Consulté|Cliqué|Ajouté au panier|Retiré du panier|Acheté|Recherché|Affiché|Pas intéressé",
  it: 'I tuoi dati su questo dispositivo|I consigli sono calcolati in questo browser da ciò che fai in questo negozio. Per la personalizzazione nulla lascia il dispositivo.|Caricamento…|Eventi salvati: {events} (visite: {sessions})|Il più vecchio: {date}|Su questo dispositivo non è salvato nulla su di te.|Interessi: {list}|Conservato nella memoria di questo browser finché non lo cancelli.|Solo in memoria: sparisce quando chiudi la pagina.|La personalizzazione è attiva.|La personalizzazione attende il tuo consenso.|La personalizzazione è disattivata.|Attività recente|Cancella la mia cronologia|La tua cronologia su questo dispositivo è stata cancellata.|Interrompi la personalizzazione|La personalizzazione è disattivata e la tua cronologia su questo dispositivo è stata cancellata.|Chiudi|Qualcosa è andato storto. Riprova.|Visto|Cliccato|Aggiunto al carrello|Rimosso dal carrello|Acquistato|Cercato|Mostrato|Non mi interessa',
  es: 'Tus datos en este dispositivo|Las recomendaciones se calculan en este navegador a partir de lo que haces en esta tienda. Nada sale del dispositivo para la personalización.|Cargando…|Eventos guardados: {events} (visitas: {sessions})|El más antiguo: {date}|No hay nada guardado sobre ti en este dispositivo.|Intereses: {list}|Guardado en el almacenamiento de este navegador hasta que lo borres.|Solo en memoria: desaparece al cerrar la página.|La personalización está activada.|La personalización espera tu consentimiento.|La personalización está desactivada.|Actividad reciente|Borrar mi historial|Tu historial en este dispositivo se ha borrado.|Detener la personalización|La personalización está desactivada y tu historial en este dispositivo se ha borrado.|Cerrar|Algo salió mal. Inténtalo de nuevo.|Visto|Clic|Añadido a la cesta|Quitado de la cesta|Comprado|Buscado|Mostrado|No me interesa',
  nl: 'Jouw gegevens op dit apparaat|Aanbevelingen worden in deze browser berekend uit wat je in deze winkel doet. Voor personalisatie verlaat niets het apparaat.|Laden…|Opgeslagen gebeurtenissen: {events} (bezoeken: {sessions})|Oudste: {date}|Er is niets over jou opgeslagen op dit apparaat.|Interesses: {list}|Bewaard in de opslag van deze browser tot je die wist.|Alleen in het geheugen: weg zodra je de pagina sluit.|Personalisatie staat aan.|Personalisatie wacht op je toestemming.|Personalisatie staat uit.|Recente activiteit|Mijn geschiedenis wissen|Je geschiedenis op dit apparaat is gewist.|Personalisatie stoppen|Personalisatie staat uit en je geschiedenis op dit apparaat is gewist.|Sluiten|Er ging iets mis. Probeer het opnieuw.|Bekeken|Aangeklikt|In winkelwagen gelegd|Uit winkelwagen gehaald|Gekocht|Gezocht|Getoond|Niet interessant',
};

/**
 * The privacy panel's texts for `locale` (German, English, French, Italian,
 * Spanish and Dutch built in; others get English), with `own` on top.
 *
 * @example privacyTexts('de').clear // 'Meinen Verlauf löschen'
 */
export function privacyTexts(
  locale: string | undefined,
  own?: PrivacyTranslations,
): Required<PrivacyTranslations> {
  const words = PRIVACY_TABLE[languageOf(locale)].split('|');
  const out = {} as Record<string, string>;
  PRIVACY_KEYS.forEach((k, i) => {
    out[k] = typeof own?.[k] === 'string' ? (own[k] as string) : words[i];
  });
  return out as Required<PrivacyTranslations>;
}

let current: (() => void) | undefined;
let currentHost: Element | undefined;

function check(deps: PrivacyPanelDeps, fn: string) {
  for (const name of ['describe', 'clear', 'optOut'] as const)
    if (typeof deps?.[name] !== 'function')
      throw new LikewiseError('INVALID_OPTION', `${fn}: deps.${name} must be a function`);
}

/**
 * Opens the privacy panel: a modal dialog (a native `<dialog>` where
 * `showModal` exists, else a `role="dialog"` element that keeps Tab inside)
 * in a shadow root, showing what is stored about the shopper, with
 * "Clear my history" and "Stop personalisation" buttons that confirm in
 * words what they did. All data is put in as text. Escape and the Close
 * button close it, and focus goes back to where it was. Only one panel is
 * open at a time: while one is, this returns its close function.
 *
 * @param deps - see {@link PrivacyPanelDeps}
 * @returns closes the panel (idempotent)
 * @throws LikewiseError `INVALID_OPTION` when `describe`, `clear` or `optOut` is not a function
 * @example
 * openPrivacyPanel({ describe: () => lw.describe(), clear: () => lw.forget(), optOut: () => lw.optOut() });
 */
export function openPrivacyPanel(deps: PrivacyPanelDeps): () => void {
  check(deps, 'openPrivacyPanel');
  if (current) {
    if (currentHost?.isConnected) return current;
    // The page removed the panel (e.g. a single-page app re-rendered <body>): clean up.
    current();
  }
  const onError = deps.onError ?? console.error;
  const doc = document;
  const locale = deps.locale || doc.documentElement.lang || undefined;
  const t = privacyTexts(locale || navigator.language, {
    ...(pageTexts(doc, onError).privacy as PrivacyTranslations),
    ...deps.translations,
  }) as Record<string, string>;
  const returnTo = deps.returnFocus ?? (doc.activeElement as HTMLElement | null);
  const host = doc.createElement('div');
  host.className = 'likewise-privacy-host';
  const shadow = host.attachShadow({ mode: 'open' });
  adoptStyles(shadow);
  const make = <K extends keyof HTMLElementTagNameMap>(
    tag: K,
    parent: Node,
    text?: string,
    part?: string,
  ): HTMLElementTagNameMap[K] => {
    const el = doc.createElement(tag);
    if (text !== undefined) el.textContent = text;
    if (part) el.setAttribute('part', part);
    parent.appendChild(el);
    return el;
  };
  const fill = (key: string, values: Record<string, string | number>) =>
    t[key].replace(/\{(\w+)\}/g, (_, name: string) => String(values[name] ?? ''));

  const native = typeof doc.createElement('dialog').showModal === 'function';
  const dialog = make(native ? 'dialog' : 'div', shadow, undefined, 'privacy');
  dialog.className = 'likewise-privacy';
  dialog.setAttribute('aria-labelledby', 'likewise-privacy-title');
  if (!native) {
    dialog.setAttribute('role', 'dialog');
    dialog.setAttribute('aria-modal', 'true');
  }
  make('h2', dialog, t.title).id = 'likewise-privacy-title';
  make('p', dialog, t.intro);
  const status = make('p', dialog, t.loading, 'privacy-status');
  status.className = 'likewise-privacy__status';
  status.setAttribute('role', 'status');
  const facts = make('ul', dialog);
  const recentHeading = make('h3', dialog, t.recent);
  const recent = make('ol', dialog);
  const actions = make('div', dialog);
  actions.className = 'likewise-privacy__actions';
  const button = (text: string) => {
    const b = make('button', actions, text, 'privacy-button');
    b.type = 'button';
    return b;
  };
  const clearButton = button(t.clear);
  const optOutButton = button(t.optOut);
  const closeButton = button(t.close);
  const buttons = [clearButton, optOutButton, closeButton];

  const say = (text: string) => {
    status.textContent = text;
  };
  const fail = (error: unknown) => {
    say(t.failed);
    onError(error);
  };
  // Stored (or merged) events may hold a time outside the Date range: shown as no date.
  const dateOf = (ts?: number) => {
    const d = new Date(ts as number);
    return Number.isNaN(d.getTime()) ? undefined : d;
  };
  const show = (s: PrivacySummary) => {
    const oldest = dateOf(s.oldest);
    const lines = [
      s.events ? fill('summary', { events: s.events, sessions: s.sessions }) : t.nothing,
      oldest ? fill('since', { date: oldest.toLocaleString(locale) }) : '',
      s.topCategories?.length ? fill('interests', { list: s.topCategories.join(', ') }) : '',
      t[s.storage] ?? '',
      t[s.consent] ?? '',
    ];
    facts.replaceChildren();
    for (const line of lines) if (line) make('li', facts, line);
    const items = (s.items ?? []).slice(0, 20);
    recentHeading.hidden = !items.length;
    recent.replaceChildren();
    for (const item of items) {
      const date = dateOf(item.ts);
      const li = make('li', recent, `${t[item.type] ?? item.type}: ${item.title}`);
      if (!date) continue;
      li.append(' · ');
      make('time', li, date.toLocaleString(locale)).dateTime = date.toISOString();
    }
  };
  const load = () =>
    Promise.resolve()
      .then(() => deps.describe())
      .then(show);

  const aborter = new AbortController();
  const { signal } = aborter;
  const close = () => {
    if (current !== close) return;
    current = undefined;
    aborter.abort();
    if (native && (dialog as HTMLDialogElement).open) (dialog as HTMLDialogElement).close();
    host.remove();
    if (returnTo?.isConnected) returnTo.focus();
  };
  let busy = false;
  const act = (fn: () => Promise<void>, done: string) => {
    if (busy) return;
    busy = true;
    for (const b of buttons) b.disabled = b !== closeButton;
    Promise.resolve()
      .then(fn)
      .then(() => load().catch(onError))
      .then(() => say(done), fail)
      .finally(() => {
        busy = false;
        for (const b of buttons) b.disabled = false;
      });
  };
  clearButton.addEventListener('click', () => act(() => deps.clear(), t.cleared), { signal });
  optOutButton.addEventListener('click', () => act(() => deps.optOut(), t.optedOut), { signal });
  closeButton.addEventListener('click', close, { signal });
  dialog.addEventListener(
    'keydown',
    (event) => {
      const e = event as KeyboardEvent;
      if (e.key === 'Escape') {
        // Handled here (not by the native cancel) so both variants behave alike.
        e.preventDefault();
        close();
      } else if (e.key === 'Tab' && !native) {
        const edge = e.shiftKey ? clearButton : closeButton;
        if (shadow.activeElement === edge) {
          e.preventDefault();
          (e.shiftKey ? closeButton : clearButton).focus();
        }
      }
    },
    { signal },
  );
  // A native dialog can also be closed by the browser (e.g. a close request).
  dialog.addEventListener('close', close, { signal });

  current = close;
  currentHost = host;
  (doc.body ?? doc.documentElement).append(host);
  if (native) (dialog as HTMLDialogElement).showModal();
  // The harmless button first: Enter right after opening must not erase anything.
  closeButton.focus();
  load().then(() => say(''), fail);
  return close;
}

/**
 * Makes every `data-likewise-privacy` element under `root` open the privacy
 * panel (see `onPrivacyLink` for which clicks count).
 *
 * @param root - usually `document`
 * @param deps - as for {@link openPrivacyPanel}; focus returns to the clicked element
 * @returns a cleanup that removes the listener (an open panel stays open)
 * @throws LikewiseError `INVALID_OPTION` when `describe`, `clear` or `optOut` is not a function
 * @example
 * const unbind = bindPrivacyLinks(document, { describe, clear, optOut });
 */
export function bindPrivacyLinks(root: ParentNode, deps: PrivacyPanelDeps): () => void {
  check(deps, 'bindPrivacyLinks');
  return onPrivacyLink(root, (link) => openPrivacyPanel({ ...deps, returnFocus: link }));
}
