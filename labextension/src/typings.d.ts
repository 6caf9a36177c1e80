// plotly.js's partial ("basic") bundle has the API and types of the full one.
declare module "plotly.js-basic-dist-min" {
  import * as Plotly from "plotly.js";
  export = Plotly;
}

/** splatbook's version (root package.json), set by webpack's DefinePlugin at build time. */
declare const SPLATBOOK_VERSION: string | undefined;
