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
/** Where the source files come from: listing (absolute paths) and reading. */
export interface SourceFiles {
  files(root: string): string[];
  read(file: string): string;
}

export function atRevision(srcDir: string, rev: string): SourceFiles;
export function collectImports(srcDir: string, source?: SourceFiles): ModuleImport[];
export function folderEdges(imports: ModuleImport[]): Array<{ edge: string; count: number }>;
/** Import cycles between files: each strongly connected component's sorted file list. */
export function fileCycles(imports: ModuleImport[]): string[][];
/** Exported names declared by more than one module (paths relative to srcDir). */
export function duplicateExports(
  srcDir: string,
  source?: SourceFiles,
): Array<{ name: string; files: string[] }>;
