// The boosted trees' prediction in WebAssembly: every test row walks every tree, its class margins summed in tree
// order from the base score, then its most likely class (the first on ties), as predictBoosting's JavaScript did.
// The walk has no branch: a node's side is chosen by select (zeros by the node's default, other values left below
// the threshold), and a leaf points to itself on both sides, so a row takes exactly its tree's depth in steps and
// stays on the leaf it reached. The comparisons, additions (in the same order) and ties are those of the
// JavaScript, so the classes are the same; the branches it had went either way, unpredictably, at every node.
import { type BoostedModel } from './boosting.ts';
import { type Matrix } from './matrix.ts';
import { address, countUp, encodeModule, F64, i32s, op, WasmMemory } from './wasm.ts';

// predict(x, rows, cols, trees, root, depth, feature, threshold, defaultLeft, left, right, value, classes, margin, out,
// baseScore)
const predict = (() => {
  const [X, ROWS, COLS, TREES, ROOT, DEPTH, FEATURE, THRESHOLD, DEFAULT_LEFT, LEFT, RIGHT, VALUE, CLASSES, MARGIN, OUT] =
    Array.from({ length: 15 }, (_, i) => i);
  const BASE = 15; // f64 parameter
  const [I, T, C, D, STEPS, NODE, ROW, BEST, GO_LEFT] = Array.from({ length: 9 }, (_, i) => 16 + i);
  const V = 25; // f64
  const at = (array: number, index: number, size: 4 | 8) => address(array, index, size);
  return [
    ...op.i32(0), ...op.set(I),
    ...countUp(I, ROWS, [
      ...op.get(X), ...op.get(I), ...op.get(COLS), ...op.mul, ...op.i32(3), ...op.shl, ...op.add, ...op.set(ROW),
      ...op.i32(0), ...op.set(C),
      ...countUp(C, CLASSES, [...at(MARGIN, C, 8), ...op.get(BASE), ...op.f64Store()]),
      ...op.i32(0), ...op.set(C), ...op.i32(0), ...op.set(T),
      ...countUp(T, TREES, [
        ...at(ROOT, T, 4), ...op.i32Load(), ...op.set(NODE),
        ...op.i32(0), ...op.set(D), ...at(DEPTH, T, 4), ...op.i32Load(), ...op.set(STEPS),
        ...countUp(D, STEPS, [
          // v = x[i, feature[node]]; left when v = 0 ? defaultLeft[node] : v < threshold[node]
          ...op.get(ROW), ...at(FEATURE, NODE, 4), ...op.i32Load(), ...op.i32(3), ...op.shl, ...op.add, ...op.f64Load(), ...op.set(V),
          ...at(DEFAULT_LEFT, NODE, 4), ...op.i32Load(),
          ...op.get(V), ...at(THRESHOLD, NODE, 8), ...op.f64Load(), ...op.f64Lt,
          ...op.get(V), ...op.f64(0), ...op.f64Eq, ...op.select, ...op.set(GO_LEFT),
          ...at(LEFT, NODE, 4), ...op.i32Load(), ...at(RIGHT, NODE, 4), ...op.i32Load(), ...op.get(GO_LEFT), ...op.select, ...op.set(NODE),
        ]),
        // margin[t mod classes] += value[node]
        ...at(MARGIN, C, 8), ...at(MARGIN, C, 8), ...op.f64Load(), ...at(VALUE, NODE, 8), ...op.f64Load(), ...op.f64Add, ...op.f64Store(),
        ...op.get(C), ...op.i32(1), ...op.add, ...op.i32(0), ...op.get(C), ...op.i32(1), ...op.add, ...op.get(CLASSES), ...op.ne,
        ...op.select, ...op.set(C),
      ]),
      // the first class of the greatest margin
      ...op.i32(0), ...op.set(BEST), ...op.i32(1), ...op.set(C),
      ...countUp(C, CLASSES, [
        ...op.get(C), ...op.get(BEST), ...at(MARGIN, C, 8), ...op.f64Load(), ...at(MARGIN, BEST, 8), ...op.f64Load(), ...op.f64Gt,
        ...op.select, ...op.set(BEST),
      ]),
      ...at(OUT, I, 4), ...op.get(BEST), ...op.i32Store(),
    ]),
  ];
})();

let compiled: WebAssembly.Module | undefined;

/** The classes predictBoosting gives `x`'s rows (see predict above). */
export function predictClasses(model: BoostedModel, x: Matrix): Int32Array {
  const { classes, trees } = model;
  const nodes = trees.reduce((sum, tree) => sum + tree.feature.length, 0);
  compiled ??= new WebAssembly.Module(encodeModule([
    { name: 'predict', params: [...i32s(15), F64], i32: 9, f64: 1, body: predict },
  ]));
  const sizes = [x.rows * x.cols * 8, trees.length * 4, trees.length * 4, nodes * 4, nodes * 8, nodes * 4, nodes * 4, nodes * 4, nodes * 8,
    classes * 8, x.rows * 4];
  const memory = new WasmMemory(compiled, WasmMemory.total(sizes));
  const values = memory.f64(x.rows * x.cols);
  const [root, depth] = [memory.i32(trees.length), memory.i32(trees.length)];
  const feature = memory.i32(nodes);
  const threshold = memory.f64(nodes);
  const [defaultLeft, left, right] = [memory.i32(nodes), memory.i32(nodes), memory.i32(nodes)];
  const value = memory.f64(nodes);
  const margin = memory.f64(classes);
  const out = memory.i32(x.rows);
  values.view.set(x.values);
  let base = 0;
  trees.forEach((tree, t) => {
    root.view[t] = base;
    const depthOf = new Int32Array(tree.feature.length); // children come after their parent
    for (let n = 0; n < tree.feature.length; n++) {
      const leaf = tree.feature[n] < 0;
      feature.view[base + n] = leaf ? 0 : tree.feature[n]; // a leaf reads column 0 and stays put
      threshold.view[base + n] = tree.threshold[n];
      defaultLeft.view[base + n] = tree.defaultLeft[n] ? 1 : 0;
      left.view[base + n] = base + (leaf ? n : tree.left[n]);
      right.view[base + n] = base + (leaf ? n : tree.right[n]);
      value.view[base + n] = tree.value[n];
      if (!leaf) depthOf[tree.left[n]] = depthOf[tree.right[n]] = depthOf[n] + 1;
      depth.view[t] = Math.max(depth.view[t], depthOf[n]);
    }
    base += tree.feature.length;
  });
  (memory.exports.predict as (...args: number[]) => void)(
    values.at, x.rows, x.cols, trees.length, root.at, depth.at, feature.at, threshold.at, defaultLeft.at, left.at, right.at,
    value.at, classes, margin.at, out.at, model.baseScore,
  );
  const classesOut = out.view.slice();
  memory.release();
  return classesOut;
}
