// Merged by @jupyterlab/builder into its federated-extension config.
const path = require("path");
const webpack = require("webpack");
// The one version of splatbook (root package.json): the panel compares it with the kernel's.
const { version } = require("../package.json");

module.exports = {
  resolve: {
    alias: {
      // The schemas have one home, the root package's src/contracts (mime.ts for the payloads),
      // and the payloads are built from job state by src/notebook/views.ts on both sides; the
      // extension bundles their compiled form (the root `npm run build` runs first).
      "@splatbook/contracts$": path.resolve(__dirname, "..", "lib", "contracts", "index.js"),
      "@splatbook/views$": path.resolve(__dirname, "..", "lib", "notebook", "views.js"),
    },
  },
  plugins: [new webpack.DefinePlugin({ SPLATBOOK_VERSION: JSON.stringify(version) })],
  // Spark, plotly.js and three.js ship minified; terser over them costs minutes on 2 cores and
  // saves little, and our own code is small.
  optimization: { minimize: false },
  performance: { hints: false },
};
