export type Gaussians = number;
