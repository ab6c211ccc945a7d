/**
 * The parts of likewise that a page does not need in order to show its
 * first recommendations, loaded on demand (a separate chunk of the npm build,
 * `likewise.extras.mjs` beside the script-tag build): model decoding and
 * on-device learning for browsers without a Worker, measurement and the
 * collector outbox, the visitor profile, targeted content, re-ranking and the
 * privacy panel.
 */

export { computeProfile } from './metrics/computeProfile';
export { computeReport } from './metrics/computeReport';
export { describeVisitor } from './metrics/describeVisitor';
export { hashId } from './metrics/hashId';
export { mergeRemoteHistory } from './metrics/mergeRemoteHistory';
export { rerank } from './metrics/rerank';
export { startMetrics } from './metrics/startMetrics';
export { createModelService } from './model/createModelService';
export { applySegments } from './widgets/applySegments';
export { openPrivacyPanel } from './widgets/privacyPanel';
export { rerankGrid } from './widgets/rerankGrid';
