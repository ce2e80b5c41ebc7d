// node --import ./adapter/register.mjs: installs the resolve hook that maps k6's module names
// to this adapter (loader.mjs) before the scenario is imported.
import { register } from "node:module";

register("./loader.mjs", import.meta.url);
