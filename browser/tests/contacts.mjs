// The CRM contacts of a test run: harness/build.mjs writes them into each
// case's config.json (`contacts`), where the host page takes them instead of
// its sample list. Three are hostile on purpose: the page must show them as
// the exact text (seed.mjs), never as markup or script. A preview of a
// user's workspace gets none of them.

export const TEST_CONTACTS = Object.freeze([
  {
    name: "Ada Lovelace",
    company: "Analytical Engines Ltd",
    phone: "+15551230001",
  },
  {
    name: '<img src=x onerror="window.__pwned=1">',
    company: "Markup & Sons <b>Ltd</b>",
    phone: "+15551230002",
  },
  {
    name: '"; window.__pwned=2; //',
    company: "Quote Injection LLC",
    phone: "+442071230003",
  },
  {
    name: "Invoice \u202Egpj.exe",
    company: "Bidi Tricks GmbH",
    phone: "+4930123400004",
  },
  { name: "Grace Hopper", company: "COBOL Systems", phone: "+16175550105" },
]);
