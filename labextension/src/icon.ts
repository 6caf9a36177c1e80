/** The splatbook icon (a cluster of soft splats), coloured by the theme's icon colour. */
import { LabIcon } from "@jupyterlab/ui-components";

const svgstr = `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 24 24">
  <g class="jp-icon3" fill="#616161">
    <ellipse cx="8" cy="9" rx="5" ry="3.2" transform="rotate(-25 8 9)" opacity="0.9"/>
    <ellipse cx="15.5" cy="8" rx="3.6" ry="2.4" transform="rotate(30 15.5 8)" opacity="0.7"/>
    <ellipse cx="12" cy="16" rx="6" ry="3" transform="rotate(10 12 16)" opacity="0.8"/>
    <circle cx="18" cy="15" r="1.8" opacity="0.6"/>
  </g>
</svg>`;

/** Registered once per page under `splatbook:icon`. */
export const splatbookIcon = new LabIcon({ name: "splatbook:icon", svgstr });
