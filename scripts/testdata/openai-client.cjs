// The official OpenAI Node SDK (npm openai, pinned in scripts/openai-sdk.sh) talking to `gugugo serve`, as apps
// built on it do: a chat completion, the same streamed, a raw completion streamed, the model list, and a wrong key.
// Usage: node openai-client.cjs BASE_URL API_KEY ENGLISH_TEXT ITS_EXPECTED_TRANSLATION
const OpenAI = require("openai");
const assert = require("node:assert/strict");

const [base, key, text, expected] = process.argv.slice(2);

async function main() {
	const client = new OpenAI({ baseURL: base + "/v1", apiKey: key, maxRetries: 0 });
	const messages = [
		{ role: "system", content: "You are a translator." },
		{ role: "user", content: text },
	];
	const reply = await client.chat.completions.create({ model: "gugugo", messages });
	assert.equal(reply.choices[0].message.content, expected, "chat");
	assert.equal(reply.choices[0].finish_reason, "stop");

	let streamed = "";
	let chunks = 0;
	const stream = await client.chat.completions.create({ model: "gugugo", messages, stream: true });
	for await (const chunk of stream) {
		chunks++;
		streamed += chunk.choices[0]?.delta?.content ?? "";
	}
	assert.equal(streamed, expected, "streamed chat");
	assert.ok(chunks >= 3, `only ${chunks} chunks`);

	let raw = "";
	const completion = await client.completions.create({
		model: "gugugo", prompt: `### 영어: ${text}</끝>\n### 한국어:`, stop: ["</끝>"], temperature: 0, stream: true,
	});
	for await (const chunk of completion) raw += chunk.choices[0]?.text ?? "";
	assert.equal(raw, expected, "streamed raw completion");

	const models = await client.models.list();
	assert.ok(models.data.length === 1 && models.data[0].id, "models");

	const wrong = new OpenAI({ baseURL: base + "/v1", apiKey: "wrong", maxRetries: 0 });
	await assert.rejects(wrong.chat.completions.create({ model: "gugugo", messages }), OpenAI.AuthenticationError);
	console.log("openai sdk: chat, streamed chat, streamed completion, models and a wrong key as expected");
}

main().catch((e) => {
	console.error(e);
	process.exit(1);
});
