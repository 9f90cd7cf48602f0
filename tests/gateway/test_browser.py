"""The play page in headless Chromium (Debian's /usr/bin/chromium driven by Playwright): register, see
the room and the status bar, move by clicking an exit and by typing, command history with the up key,
`quit` back to the login form without a resume."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ouro_engine.gateway import Gateways

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
SHOT = Path(os.environ.get("OURO_SCREENSHOT", "/tmp/ouro-play.png"))

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium")]


async def test_play_page_register_and_move(gateways: Gateways) -> None:
    from playwright.async_api import async_playwright, expect

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            page = await browser.new_page(viewport={"width": 1100, "height": 700})
            await page.goto(f"http://127.0.0.1:{gateways.web.port}/")
            assert page.url.endswith("/play")
            await expect(page.locator("#conn")).to_have_text("online")
            await page.fill("#name", "Hiro")
            await page.fill("#password", "secret12")
            await page.click("#register-btn")
            await expect(page.locator("#room")).to_contain_text("Spawn")
            await expect(page.locator("#status")).to_contain_text("Hiro")
            await expect(page.locator("#output")).to_contain_text("Welcome, Hiro")
            await page.click("#exits button[data-dir='n']")  # move by clicking an exit
            await expect(page.locator("#room")).to_contain_text("Market")
            await page.fill("#cmd", "e")
            await page.press("#cmd", "Enter")
            await expect(page.locator("#room")).to_contain_text("Bar")
            await page.fill("#cmd", "say wake up, samurai")
            await page.press("#cmd", "Enter")
            await expect(page.locator("#output")).to_contain_text("wake up, samurai")
            await page.press("#cmd", "ArrowUp")
            assert await page.input_value("#cmd") == "say wake up, samurai"
            await page.press("#cmd", "ArrowUp")
            assert await page.input_value("#cmd") == "e"
            colored = await page.locator("#output span.fg-green").count()
            assert colored > 0  # "Exits:" lines arrive as green spans
            await page.screenshot(path=str(SHOT))
            # quit logs out: back to the login form, the resume token gone (a reload does not resume)
            await page.fill("#cmd", "quit")
            await page.press("#cmd", "Enter")
            await expect(page.locator("#login")).to_be_visible()
            assert await page.evaluate("localStorage.getItem('ouro.resume')") is None
            await page.reload()
            await expect(page.locator("#conn")).to_have_text("online")
            await expect(page.locator("#login")).to_be_visible()
            await page.fill("#name", "Hiro")
            await page.fill("#password", "secret12")
            await page.click("#login-btn")
            await expect(page.locator("#room")).to_contain_text("Bar")
        finally:
            await browser.close()
