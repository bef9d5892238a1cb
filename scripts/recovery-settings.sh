# Settings shared by the recovery scripts (sourced): the binary, the dense model, the learning experiment's
# harness flags (27 held-out tasks, choice decoding, LoRA r8) and the held-out text perplexity flags.
bin=${NNETNAV_BIN:-.build/release/nnetnav}
dense=models/SmolLM2-135M-Instruct.Q4_1.gguf
common=(--sites shop,forum,admin,wiki,code --tasks-per-site 6 --max-difficulty 3 --max-steps 6
        --lora-rank 8 --learning-rate 1e-3 --no-match-rows --decoding choice)
heldout_text=(--eval-text datasets/calibration/general_heldout.txt --eval-segments 6 --general-segments 4 --seq-len 512)
