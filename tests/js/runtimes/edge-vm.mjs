// Run a Vercel Edge bundle in @edge-runtime/vm the way the platform runs it:
// no code generation from strings and no wasm compilation inside the
// sandbox; the platform compiles each `?module` binding ahead of time and
// hands the code a ready `WebAssembly.Module` under the binding's name.
import fs from 'node:fs';
import { MessageChannel, moveMessagePortToContext } from 'node:worker_threads';
import { EdgeVM } from '@edge-runtime/vm';

/**
 * `realm: 'sandbox'` (production): the Module belongs to the sandbox's own
 * realm, as on Vercel's edge network. It is compiled outside and moved in
 * over a MessagePort, which deserialises it in the sandbox without compiling.
 * `realm: 'host'`: the Module is compiled by the host and passed as is, as
 * `next dev`, `next start` and `vercel dev` do; `instanceof
 * WebAssembly.Module` is then false inside the sandbox.
 */
export async function edgeSandbox({ script, bindings, env = {}, realm = 'sandbox' }) {
  const vm = new EdgeVM({
    codeGeneration: { strings: false, wasm: false },
    extend: (context) => {
      context.process = { env: { ...env } };
      return context;
    },
  });
  for (const [name, file] of Object.entries(bindings)) {
    const module = await WebAssembly.compile(fs.readFileSync(file));
    vm.context[name] = realm === 'host' ? module : await moveIntoRealm(vm, module);
  }
  vm.evaluate(fs.readFileSync(script, 'utf8'));
  return vm;
}

async function moveIntoRealm(vm, value) {
  const { port1, port2 } = new MessageChannel();
  const inner = moveMessagePortToContext(port2, vm.context);
  const received = new Promise((resolve) => {
    vm.context.__receive = resolve;
  });
  vm.context.__port = inner;
  vm.evaluate(`__port.onmessage = (e) => { __port.close(); __receive(e.data); }; __port.start();`);
  port1.postMessage(value);
  const moved = await received;
  port1.close();
  delete vm.context.__port;
  delete vm.context.__receive;
  return moved;
}

/** Build a Request in the sandbox's realm and call the route's handler with it. */
export async function callRoute(vm, globalName, method, url, init) {
  const route = vm.context[globalName];
  const request = new vm.context.Request(url, { method, ...init });
  return route[method](request);
}
