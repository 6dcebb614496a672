"""Random affine warps of training batches."""
import numpy as np

from model.augment import Warp, random_matrices, random_warp, warp_batch


def letter_l():
    img = np.zeros((17, 17), np.float32)
    img[2:15, 4] = 1
    img[14, 4:12] = 1
    return img.reshape(1, -1)


def test_identity_warp_changes_nothing():
    x = np.random.default_rng(0).random((3, 289)).astype(np.float32)
    x /= x.max(axis=1, keepdims=True)
    m = np.zeros((3, 2, 3))
    m[:, 0, 0] = m[:, 1, 1] = 1
    assert np.allclose(warp_batch(x, m), x, atol=1e-6)


def test_a_shift_moves_the_ink_by_whole_pixels():
    x = letter_l()
    m = np.array([[[1, 0, 2], [0, 1, -1]]], float)  # 2 right, 1 up
    out = warp_batch(x, m).reshape(17, 17)
    assert np.allclose(out[1:14, 6], 1) and out[13, 13] == 1 and out[:, 4].sum() == 0


def test_random_warps_are_seeded_bounded_and_keep_the_ink():
    x = np.repeat(letter_l(), 50, axis=0)
    a = random_warp(x, np.random.default_rng(7))
    b = random_warp(x, np.random.default_rng(7))
    assert np.array_equal(a, b)
    assert not np.array_equal(a[0], a[1])  # each image its own warp
    assert a.min() >= 0 and np.allclose(a.max(axis=1), 1)
    # the letter stays inside the frame: its ink is resampled, not cut off
    assert a.sum(axis=1).min() > 0.6 * x[0].sum()


def test_matrix_ranges():
    m = random_matrices(1000, np.random.default_rng(1), Warp(rotate_deg=10, scale=0.15, shear=0.2, shift=0.07))
    assert np.abs(m[:, :, 2]).max() <= 0.07 * 17 + 1e-9
    det = np.linalg.det(m[:, :, :2])
    assert 1 / 1.15 ** 2 - 1e-6 <= det.min() and det.max() <= 1 / 0.85 ** 2 + 1e-6
