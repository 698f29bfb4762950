"""The web console in a real browser: headless Chromium driven through WebDriver (selenium).

Run by ConsoleBrowserTests (Tests/TouchBaseCommandTests) against a `touchbase serve` it started,
with a seeded contact whose call left a message. Prints one line per step; exits 1 at the first
step that does not behave, naming it. Screenshots of each page go into --shots.
"""
import argparse
import json
import os
import sys
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

parser = argparse.ArgumentParser()
for name in ["base", "admin", "owner", "password", "contact", "wav-bytes", "bad-csv", "good-csv", "shots", "chromium", "chromedriver"]:
    parser.add_argument("--" + name, required=True)
args = parser.parse_args()

options = webdriver.ChromeOptions()
options.binary_location = args.chromium
for flag in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1200,900",
             "--autoplay-policy=no-user-gesture-required", "--mute-audio", "--no-first-run"]:
    options.add_argument(flag)
driver = webdriver.Chrome(service=Service(executable_path=args.chromedriver), options=options)
wait = WebDriverWait(driver, 15)
os.makedirs(args.shots, exist_ok=True)


def step(name):
    print("step:", name, flush=True)


def shot(name):
    driver.save_screenshot(os.path.join(args.shots, name + ".png"))


def check(condition, what):
    if not condition:
        shot("failed")
        print("FAILED:", what, "at", driver.current_url, file=sys.stderr)
        print(driver.page_source[:3000], file=sys.stderr)
        driver.quit()
        sys.exit(1)


def fetch(url, what="status"):
    """Fetches a URL from the page, with its cookies: the status, or the body's length."""
    return driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "fetch(arguments[0], {credentials: 'same-origin'}).then(r => arguments[1] === 'status' ? done(r.status)"
        " : r.arrayBuffer().then(b => done([r.status, r.headers.get('content-type'), b.byteLength]))).catch(e => done(String(e)));",
        url, what)


def log_in(name):
    driver.get(args.base + "/login")
    driver.find_element(By.ID, "name").send_keys(name)
    driver.find_element(By.ID, "password").send_keys(args.password)
    driver.find_element(By.ID, "login").click()
    wait.until(ec.presence_of_element_located((By.ID, "logout")))


def log_out():
    driver.find_element(By.ID, "logout").click()
    wait.until(ec.presence_of_element_located((By.ID, "login")))


def upload(path):
    driver.get(args.base + "/import")
    chooser = driver.find_element(By.ID, "csv-file")
    chooser.send_keys(path)
    wait.until(lambda d: chooser.get_attribute("data-loaded") == os.path.basename(path))
    driver.find_element(By.ID, "import").click()


try:
    step("log in")
    log_in(args.admin)
    step("Today's live events arrive")
    wait.until(lambda d: d.find_element(By.ID, "live").get_attribute("data-updated"))
    check("Dana Whitfield" in driver.find_element(By.ID, "calls").text, "the live event draws the calls table")
    shot("today")

    step("import a CSV with a bad row and see its line")
    upload(args.bad_csv)
    problems = wait.until(ec.presence_of_element_located((By.ID, "problems"))).text
    shot("import-problems")
    check("line 3:" in problems and "phone" in problems, "the bad row's line is shown: " + problems)

    step("fix it and import")
    upload(args.good_csv)
    notice = wait.until(ec.presence_of_element_located((By.ID, "notice"))).text
    shot("import-done")
    check("Imported 2 contacts" in notice, "the fixed file is imported: " + notice)
    driver.get(args.base + "/contacts?q=Brook")
    check("Brook Adams" in driver.find_element(By.ID, "contacts").text, "an imported contact is listed")
    shot("contacts")

    step("open a contact and play its message")
    driver.get(args.base + "/contacts/" + args.contact)
    audio = wait.until(ec.presence_of_element_located((By.TAG_NAME, "audio")))
    shot("contact")
    status, kind, length = fetch(audio.get_attribute("src"), "body")
    check(status == 200 and kind == "audio/wav" and length == int(args.wav_bytes),
          "the audio answers the WAV the call played: %s %s %s" % (status, kind, length))
    driver.execute_script("arguments[0].play();", audio)
    wait.until(lambda d: d.execute_script("return arguments[0].currentTime > 0 || arguments[0].ended;", audio))
    duration = driver.execute_script("return arguments[0].duration;", audio)
    check(abs(duration - (int(args.wav_bytes) - 44) / 32000) < 0.05, "the audio plays for its length: %s s" % duration)

    step("press do-not-call")
    before = driver.find_element(By.ID, "phase")
    driver.find_element(By.ID, "do-not-call").click()
    wait.until(ec.staleness_of(before))  # the page after the change, not the one still showing
    phase = wait.until(ec.presence_of_element_located((By.ID, "phase"))).text
    shot("contact-do-not-call")
    check("do not call" in phase and "stopped" in phase, "the contact is on the do-not-call list: " + phase)

    step("view the report")
    driver.get(args.base + "/report")
    check(driver.find_element(By.ID, "per-step").text.count("\n") >= 3, "the report lists each step")
    check(len(driver.find_elements(By.CSS_SELECTOR, ".chart svg")) == 1, "the report draws its chart")
    shot("report")

    step("hear a message's preview on the Messages page")
    driver.get(args.base + "/messages?contact=" + args.contact)
    driver.find_element(By.ID, "hear-2").click()
    WebDriverWait(driver, 60).until(lambda d: "spoken by" in d.find_element(By.ID, "voice-2").text
                                    or "error" in (d.find_element(By.ID, "voice-2").get_attribute("class") or ""))
    preview = driver.find_element(By.ID, "audio-2")
    check("spoken by" in driver.find_element(By.ID, "voice-2").text,
          "the preview is spoken: " + driver.find_element(By.ID, "voice-2").text)
    wait.until(lambda d: d.execute_script("return arguments[0].readyState >= 1;", preview))
    check(driver.execute_script("return arguments[0].duration;", preview) > 1, "the preview's audio plays for seconds")
    shot("messages")
    driver.get(args.base + "/system")
    shot("system")

    step("on a phone's screen, the pages fit its width")
    driver.set_window_size(390, 844)
    for page in ["today", "contacts", "contacts/" + args.contact, "import", "messages", "report"]:
        driver.get(args.base + "/" + page)
        overflow = driver.execute_script("return document.documentElement.scrollWidth - window.innerWidth;")
        check(overflow <= 0, "/%s is %s px wider than a phone's screen" % (page, overflow))
        shot("phone-" + page.replace("/", "-"))
    driver.set_window_size(1200, 900)

    step("log out")
    log_out()
    driver.get(args.base + "/contacts")
    check(driver.current_url.endswith("/login"), "after logging out the contacts need a login")

    step("an owner opening another owner's contact gets 403")
    log_in(args.owner)
    check(fetch(args.base + "/contacts/" + args.contact) == 403, "403 for another owner's contact")
    driver.get(args.base + "/contacts/" + args.contact)
    check("belongs to another owner" in driver.find_element(By.ID, "problem").text, "the page says why")
    shot("owner-forbidden")
    log_out()
    print(json.dumps({"ok": True}))
finally:
    driver.quit()
