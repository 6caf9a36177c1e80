/** One relative import between modules of src/ (paths relative to src/). */
export interface ModuleImport {
  from: string;
  to: string;
  fromArea: string;
  toArea: string;
  line: number;
  specifier: string;
}

export function areaOf(srcDir: string, file: string): string;
export function collectImports(srcDir: string): ModuleImport[];
export function folderEdges(imports: ModuleImport[]): Array<{ edge: string; count: number }>;
