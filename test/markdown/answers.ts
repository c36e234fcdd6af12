/**
 * Realistic agent answers (Indonesian and English) and exactly what each platform receives for them,
 * reviewed by eye once: tables, nested lists, code, links with parentheses and underscores,
 * snake_case, arithmetic with `*`, emoji, Windows line breaks, task lists, references and images.
 */

export interface Answer {
  name: string;
  markdown: string;
  telegram: string[];
  slack: string[];
  discord: string[];
}

export const ANSWERS: Answer[] = [
  {
    name: 'a narrow table in Indonesian',
    markdown:
      'Berikut perbandingan paketnya:\n\n| Paket | Harga | Kuota |\n|:------|------:|:-----:|\n| Basic | Rp50.000 | 10 GB |\n| Pro | Rp120.000 | 50 GB |\n\nSemua harga **sudah termasuk PPN**.',
    telegram: [
      'Berikut perbandingan paketnya:\n\n<pre>Paket │     Harga │ Kuota\n──────┼───────────┼──────\nBasic │  Rp50.000 │ 10 GB\nPro   │ Rp120.000 │ 50 GB</pre>\n\nSemua harga <b>sudah termasuk PPN</b>.',
    ],
    slack: [
      'Berikut perbandingan paketnya:\n\n```\nPaket │     Harga │ Kuota\n──────┼───────────┼──────\nBasic │  Rp50.000 │ 10 GB\nPro   │ Rp120.000 │ 50 GB\n```\n\nSemua harga *sudah termasuk PPN*.',
    ],
    discord: [
      'Berikut perbandingan paketnya:\n\n```\nPaket │     Harga │ Kuota\n──────┼───────────┼──────\nBasic │  Rp50.000 │ 10 GB\nPro   │ Rp120.000 │ 50 GB\n```\n\nSemua harga **sudah termasuk PPN**.',
    ],
  },
  {
    name: 'a table too wide for a phone',
    markdown:
      '| Option | What it does | Default |\n|---|---|---|\n| `retry_limit` | How many times a failed call is tried again | 3 |\n| `timeout_ms` | How long to wait for the [API](https://api.example.com/v1) | 30000 |',
    telegram: [
      '<b>Option</b>: <code>retry_limit</code>\n<b>What it does</b>: How many times a failed call is tried again\n<b>Default</b>: 3\n\n<b>Option</b>: <code>timeout_ms</code>\n<b>What it does</b>: How long to wait for the <a href="https://api.example.com/v1">API</a>\n<b>Default</b>: 30000',
    ],
    slack: [
      '*Option*: `retry_limit`\n*What it does*: How many times a failed call is tried again\n*Default*: 3\n\n*Option*: `timeout_ms`\n*What it does*: How long to wait for the <https://api.example.com/v1|API>\n*Default*: 30000',
    ],
    discord: [
      '**Option**: `retry_limit`\n**What it does**: How many times a failed call is tried again\n**Default**: 3\n\n**Option**: `timeout_ms`\n**What it does**: How long to wait for the [API](<https://api.example.com/v1>)\n**Default**: 30000',
    ],
  },
  {
    name: 'nested lists with a code block in an item',
    markdown:
      'To deploy:\n\n1. Install the tools:\n   - Node.js 20\n   - Docker\n2. Build the image:\n\n   ```bash\n   docker build -t app .\n   ```\n3. Run it.',
    telegram: [
      'To deploy:\n\n1. Install the tools:\n   • Node.js 20\n   • Docker\n2. Build the image:\n   <pre><code class="language-bash">docker build -t app .</code></pre>\n3. Run it.',
    ],
    slack: [
      'To deploy:\n\n1. Install the tools:\n   • Node.js 20\n   • Docker\n2. Build the image:\n   ```\ndocker build -t app .\n```\n3. Run it.',
    ],
    discord: [
      'To deploy:\n\n1. Install the tools:\n   - Node.js 20\n   - Docker\n2. Build the image:\n   ```bash\ndocker build -t app .\n```\n3. Run it.',
    ],
  },
  {
    name: 'links with parentheses and underscores',
    markdown:
      'See [Python](https://en.wikipedia.org/wiki/Python_(programming_language)) and https://example.com/path_with_underscores/file_name.txt for details.',
    telegram: [
      'See <a href="https://en.wikipedia.org/wiki/Python_(programming_language)">Python</a> and https://example.com/path_with_underscores/file_name.txt for details.',
    ],
    slack: [
      'See <https://en.wikipedia.org/wiki/Python_(programming_language)|Python> and https://example.com/path_with_underscores/file_name.txt for details.',
    ],
    discord: [
      'See [Python](<https://en.wikipedia.org/wiki/Python_(programming_language)>) and https://example.com/path_with_underscores/file_name.txt for details.',
    ],
  },
  {
    name: 'snake_case and arithmetic with asterisks',
    markdown:
      'Set `max_retries` in user_config and read order_id.\n\nArea: 2*3*4 = 24, and 10 * 5 = 50. Use a*b for the product.',
    telegram: [
      'Set <code>max_retries</code> in user_config and read order_id.\n\nArea: 2*3*4 = 24, and 10 * 5 = 50. Use a*b for the product.',
    ],
    slack: [
      'Set `max_retries` in user_config and read order_id.\n\nArea: 2*3*4 = 24, and 10 * 5 = 50. Use a*b for the product.',
    ],
    discord: [
      'Set `max_retries` in user\\_config and read order\\_id.\n\nArea: 2\\*3\\*4 = 24, and 10 \\* 5 = 50. Use a\\*b for the product.',
    ],
  },
  {
    name: 'emoji and Indonesian text',
    markdown:
      '✅ **Selesai!** Pesanan Anda sudah dikirim 🚚\n\nTerima kasih telah berbelanja 🙏 — _sampai jumpa lagi_!',
    telegram: [
      '✅ <b>Selesai!</b> Pesanan Anda sudah dikirim 🚚\n\nTerima kasih telah berbelanja 🙏 — <i>sampai jumpa lagi</i>!',
    ],
    slack: [
      '✅ *Selesai!* Pesanan Anda sudah dikirim 🚚\n\nTerima kasih telah berbelanja 🙏 — _sampai jumpa lagi_!',
    ],
    discord: [
      '✅ **Selesai!** Pesanan Anda sudah dikirim 🚚\n\nTerima kasih telah berbelanja 🙏 — *sampai jumpa lagi*!',
    ],
  },
  {
    name: 'Windows line breaks',
    markdown: 'Langkah:\r\n\r\n- Buka aplikasi\r\n- Klik **Masuk**\r\n\r\nSelesai.\r\n',
    telegram: ['Langkah:\n\n• Buka aplikasi\n• Klik <b>Masuk</b>\n\nSelesai.'],
    slack: ['Langkah:\n\n• Buka aplikasi\n• Klik *Masuk*\n\nSelesai.'],
    discord: ['Langkah:\n\n- Buka aplikasi\n- Klik **Masuk**\n\nSelesai.'],
  },
  {
    name: 'a task list',
    markdown: 'Progress:\n\n- [x] Design the schema\n- [ ] Write the migration\n- [ ] Deploy to staging',
    telegram: ['Progress:\n\n☑ Design the schema\n☐ Write the migration\n☐ Deploy to staging'],
    slack: ['Progress:\n\n☑ Design the schema\n☐ Write the migration\n☐ Deploy to staging'],
    discord: ['Progress:\n\n☑ Design the schema\n☐ Write the migration\n☐ Deploy to staging'],
  },
  {
    name: 'bold across a line break, escaped asterisks',
    markdown: '**Note:\nthis is important.**\n\nUse \\*asterisks\\* to write *emphasis*.',
    telegram: ['<b>Note:\nthis is important.</b>\n\nUse *asterisks* to write <i>emphasis</i>.'],
    slack: ['*Note:*\n*this is important.*\n\nUse \u200b*asterisks*\u200b to write _emphasis_.'],
    discord: ['**Note:\nthis is important.**\n\nUse \\*asterisks\\* to write *emphasis*.'],
  },
  {
    name: 'reference links, entities and an image',
    markdown:
      'R&amp;D budget &gt; 10% — read [the report][r] and the [FAQ].\n\n![Chart of costs](https://example.com/chart.png)\n\n[r]: https://example.com/report "Report"\n[FAQ]: https://example.com/faq',
    telegram: [
      'R&amp;D budget &gt; 10% — read <a href="https://example.com/report">the report</a> and the <a href="https://example.com/faq">FAQ</a>.\n\n<a href="https://example.com/chart.png">Chart of costs</a>',
    ],
    slack: [
      'R&amp;D budget &gt; 10% — read <https://example.com/report|the report> and the <https://example.com/faq|FAQ>.\n\n<https://example.com/chart.png|Chart of costs>',
    ],
    discord: [
      'R&D budget > 10% — read [the report](<https://example.com/report>) and the [FAQ](<https://example.com/faq>).\n\n[Chart of costs](<https://example.com/chart.png>)',
    ],
  },
  {
    name: 'headings, a quote and a rule',
    markdown:
      '## Ringkasan\n\n> Pelanggan meminta pengembalian dana.\n> Alasan: barang rusak.\n\n---\n\n### Tindakan\n\nKirim label retur.',
    telegram: [
      '<b>Ringkasan</b>\n\n<blockquote>Pelanggan meminta pengembalian dana.\nAlasan: barang rusak.</blockquote>\n\n———\n\n<b>Tindakan</b>\n\nKirim label retur.',
    ],
    slack: [
      '*Ringkasan*\n\n> Pelanggan meminta pengembalian dana.\n> Alasan: barang rusak.\n\n———\n\n*Tindakan*\n\nKirim label retur.',
    ],
    discord: [
      '## Ringkasan\n\n> Pelanggan meminta pengembalian dana.\n> Alasan: barang rusak.\n\n———\n\n### Tindakan\n\nKirim label retur.',
    ],
  },
  {
    name: 'a long pre-signed link',
    markdown:
      'Download: https://bucket.s3.amazonaws.com/reports/2024/q3_summary.pdf?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA%2F20240101%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20240101T000000Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host&X-Amz-Signature=ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff',
    telegram: [
      'Download: https://bucket.s3.amazonaws.com/reports/2024/q3_summary.pdf?X-Amz-Algorithm=AWS4-HMAC-SHA256&amp;X-Amz-Credential=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA%2F20240101%2Fus-east-1%2Fs3%2Faws4_request&amp;X-Amz-Date=20240101T000000Z&amp;X-Amz-Expires=3600&amp;X-Amz-SignedHeaders=host&amp;X-Amz-Signature=ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff',
    ],
    slack: [
      'Download: https://bucket.s3.amazonaws.com/reports/2024/q3_summary.pdf?X-Amz-Algorithm=AWS4-HMAC-SHA256&amp;X-Amz-Credential=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA%2F20240101%2Fus-east-1%2Fs3%2Faws4_request&amp;X-Amz-Date=20240101T000000Z&amp;X-Amz-Expires=3600&amp;X-Amz-SignedHeaders=host&amp;X-Amz-Signature=ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff',
    ],
    discord: [
      'Download: https://bucket.s3.amazonaws.com/reports/2024/q3_summary.pdf?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA%2F20240101%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20240101T000000Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host&X-Amz-Signature=ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff',
    ],
  },
  {
    name: 'www. addresses and e-mail',
    markdown: 'Hubungi <ops@example.com> atau support@example.co.id, atau kunjungi www.example.co.id.',
    telegram: [
      'Hubungi <a href="mailto:ops@example.com">ops@example.com</a> atau <a href="mailto:support@example.co.id">support@example.co.id</a>, atau kunjungi <a href="http://www.example.co.id">www.example.co.id</a>.',
    ],
    slack: [
      'Hubungi <mailto:ops@example.com|ops@example.com> atau <mailto:support@example.co.id|support@example.co.id>, atau kunjungi <http://www.example.co.id|www.example.co.id>.',
    ],
    discord: [
      'Hubungi ops@example.com atau support@example.co.id, atau kunjungi [www.example.co.id](<http://www.example.co.id>).',
    ],
  },
  {
    name: 'code with markup characters',
    markdown: 'Gunakan `a < b && c > d` atau:\n\n```html\n<a href="x">**tidak tebal**</a>\n```',
    telegram: [
      'Gunakan <code>a &lt; b &amp;&amp; c &gt; d</code> atau:\n\n<pre><code class="language-html">&lt;a href="x"&gt;**tidak tebal**&lt;/a&gt;</code></pre>',
    ],
    slack: [
      'Gunakan `a &lt; b &amp;&amp; c &gt; d` atau:\n\n```\n&lt;a href="x"&gt;**tidak tebal**&lt;/a&gt;\n```',
    ],
    discord: ['Gunakan `a < b && c > d` atau:\n\n```html\n<a href="x">**tidak tebal**</a>\n```'],
  },
  {
    name: 'numbered instructions in Indonesian with code spans',
    markdown:
      'Cara reset kata sandi:\n\n1. Buka **Pengaturan** → *Keamanan*.\n2. Pilih `Reset password`.\n3. Masukkan kode OTP (6 digit) yang dikirim ke email Anda.\n\nKode berlaku **5 menit**.',
    telegram: [
      'Cara reset kata sandi:\n\n1. Buka <b>Pengaturan</b> → <i>Keamanan</i>.\n2. Pilih <code>Reset password</code>.\n3. Masukkan kode OTP (6 digit) yang dikirim ke email Anda.\n\nKode berlaku <b>5 menit</b>.',
    ],
    slack: [
      'Cara reset kata sandi:\n\n1. Buka *Pengaturan* → _Keamanan_.\n2. Pilih `Reset password`.\n3. Masukkan kode OTP (6 digit) yang dikirim ke email Anda.\n\nKode berlaku *5 menit*.',
    ],
    discord: [
      'Cara reset kata sandi:\n\n1. Buka **Pengaturan** → *Keamanan*.\n2. Pilih `Reset password`.\n3. Masukkan kode OTP (6 digit) yang dikirim ke email Anda.\n\nKode berlaku **5 menit**.',
    ],
  },
  {
    name: 'a JSON code block with Windows line breaks',
    markdown:
      'Contoh respons:\r\n\r\n```json\r\n{\r\n  "order_id": 4821,\r\n  "status": "shipped"\r\n}\r\n```\r\n',
    telegram: [
      'Contoh respons:\n\n<pre><code class="language-json">{\n  "order_id": 4821,\n  "status": "shipped"\n}</code></pre>',
    ],
    slack: ['Contoh respons:\n\n```\n{\n  "order_id": 4821,\n  "status": "shipped"\n}\n```'],
    discord: ['Contoh respons:\n\n```json\n{\n  "order_id": 4821,\n  "status": "shipped"\n}\n```'],
  },
  {
    name: 'a table with emoji and an empty cell',
    markdown: '| Status | Jumlah |\n|---|---:|\n| ✅ Selesai | 12 |\n| ⏳ Diproses | 3 |\n| ❌ Gagal | |',
    telegram: [
      '<pre>Status      │ Jumlah\n────────────┼───────\n✅ Selesai  │     12\n⏳ Diproses │      3\n❌ Gagal    │</pre>',
    ],
    slack: [
      '```\nStatus      │ Jumlah\n────────────┼───────\n✅ Selesai  │     12\n⏳ Diproses │      3\n❌ Gagal    │\n```',
    ],
    discord: [
      '```\nStatus      │ Jumlah\n────────────┼───────\n✅ Selesai  │     12\n⏳ Diproses │      3\n❌ Gagal    │\n```',
    ],
  },
  {
    name: 'bold inside words and math with underscores',
    markdown: 'The **pre**-release uses x_1 + x_2 = 10 and f(x) = x * 2, so **un**likely to fail.',
    telegram: ['The <b>pre</b>-release uses x_1 + x_2 = 10 and f(x) = x * 2, so <b>un</b>likely to fail.'],
    slack: ['The *pre*-release uses x_1 + x_2 = 10 and f(x) = x * 2, so *un*likely to fail.'],
    discord: ['The **pre**-release uses x\\_1 + x\\_2 = 10 and f(x) = x \\* 2, so **un**likely to fail.'],
  },
  {
    name: 'a quote with a list and a nested quote',
    markdown: '> Customer wrote:\n> - the box was damaged\n> - one item missing\n>\n> > Sent from my phone',
    telegram: [
      '<blockquote>Customer wrote:\n\n• the box was damaged\n• one item missing\n\nSent from my phone</blockquote>',
    ],
    slack: ['> Customer wrote:\n> \n> • the box was damaged\n> • one item missing\n> \n> Sent from my phone'],
    discord: [
      '> Customer wrote:\n> \n> - the box was damaged\n> - one item missing\n> \n> Sent from my phone',
    ],
  },
  {
    name: 'mentions and platform markup from the agent',
    markdown: 'Ping @everyone and <@U123> about <!channel> — or email admin@example.com.',
    telegram: [
      'Ping @everyone and &lt;@U123&gt; about &lt;!channel&gt; — or email <a href="mailto:admin@example.com">admin@example.com</a>.',
    ],
    slack: [
      'Ping @everyone and &lt;@U123&gt; about &lt;!channel&gt; — or email <mailto:admin@example.com|admin@example.com>.',
    ],
    discord: ['Ping @\u200beveryone and <@\u200bU123> about <!channel> — or email admin@example.com.'],
  },
  {
    name: 'a link whose text has formatting and a bare link in parentheses',
    markdown:
      'Read **[the _full_ guide](https://docs.example.com/guide_v2)** (or https://docs.example.com/faq).',
    telegram: [
      'Read <b><a href="https://docs.example.com/guide_v2">the <i>full</i> guide</a></b> (or https://docs.example.com/faq).',
    ],
    slack: ['Read *<https://docs.example.com/guide_v2|the full guide>* (or https://docs.example.com/faq).'],
    discord: [
      'Read **[the full guide](<https://docs.example.com/guide_v2>)** (or https://docs.example.com/faq).',
    ],
  },
  {
    name: 'headings of every level',
    markdown: '# Satu\n## Dua\n### Tiga\n#### Empat\n\nIsi.',
    telegram: ['<b>Satu</b>\n\n<b>Dua</b>\n\n<b>Tiga</b>\n\n<b>Empat</b>\n\nIsi.'],
    slack: ['*Satu*\n\n*Dua*\n\n*Tiga*\n\n*Empat*\n\nIsi.'],
    discord: ['# Satu\n\n## Dua\n\n### Tiga\n\n**Empat**\n\nIsi.'],
  },
];
