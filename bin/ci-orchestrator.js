#!/usr/bin/env node
// The installed command runs the compiled JavaScript in dist/ (`npm run build`; `npm ci` builds it).
import '../dist/src/main.js';
