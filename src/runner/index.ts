/** Headless notebook runner (`splatbook run`), papermill-style, over src/jupyter's client. */
export {
  runNotebook,
  defaultOutputPath,
  describeFailure,
  type RunNotebookOptions,
  type RunNotebookResult,
  type RunFailure,
} from "./runNotebook.js";
export {
  parseParameterValue,
  parseYamlParameters,
  typescriptParameterCell,
  pythonParameterCell,
  type Parameters,
  type ParameterValue,
} from "./parameters.js";
export { injectParameters, type InjectionResult } from "./injection.js";
export { readNotebook, writeNotebook, type Notebook, type NotebookCell } from "./notebook.js";
