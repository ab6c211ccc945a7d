/**
 * The Node API (`likewise/node`): recommendations outside the browser, for
 * e-mail campaigns, push and server-rendered pages, from the model files
 * `likewise train` wrote, scored exactly as the browser scores them.
 */
export { type OpenModel, type OpenModelOptions, openModel } from './cli/openModel';
export type { RecommendRules, ScoredItem } from './engine/recommend';
export type { ModelConfig } from './engine/tune';
export { type ModelPreloadsOptions, modelPreloads } from './model/modelPreloads';
export {
  type LoadedModel,
  type ModelRequest,
  type ModelScenario,
  recommendWith,
} from './model/recommendWith';
