export const schedule = 1;
export const loadBackend = () => import("./gpu/backend.js");
